import GraphIR

/// `{"outputs": {"f": 17.0, "w": [[0.5, -1.0]]}}`: one JSON object, outputs in order.
///
/// Numbers round-trip: f64 values in Swift's shortest form (`17.0`, `0.1`), f32 values in
/// the shortest form of the float (`0.1`, not `0.10000000149011612`). Non-finite values are
/// the strings `"nan"`, `"inf"` and `"-inf"`. Integer values are JSON integers (`3`).
func outputsJSON(_ outputs: [(String, Tensor)]) -> String {
  let members = outputs.map { name, value in
    jsonString(name) + ": " + value.nestedDescription { jsonNumber($0, value.dtype) }
  }
  return "{\"outputs\": {" + members.joined(separator: ", ") + "}}"
}

/// One `name = value` line per output, for people: `f = 17`, `w = [[0.5, -1], [2, 0.25]]`.
func outputsText(_ outputs: [(String, Tensor)]) -> String {
  outputs.map { name, value in
    "\(name) = " + value.nestedDescription { humanNumber($0, value.dtype) }
  }.joined(separator: "\n")
}

/// A number as JSON (see `outputsJSON`).
func jsonNumber(_ value: Double, _ dtype: DType) -> String {
  if value.isNaN { return "\"nan\"" }
  if value.isInfinite { return value < 0 ? "\"-inf\"" : "\"inf\"" }
  if dtype.isInteger { return String(Int64(value)) }
  return dtype == .f32 ? Float(value).description : value.description
}

/// A number for people: integers without a fraction, otherwise the shortest form.
func humanNumber(_ value: Double, _ dtype: DType) -> String {
  if dtype.isInteger { return String(Int64(value)) }
  guard dtype == .f32, value.isFinite, value != value.rounded() else { return formatNumber(value) }
  return Float(value).description
}

/// A JSON string literal.
func jsonString(_ text: String) -> String {
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\"": result += "\\\""
    case "\\": result += "\\\\"
    case _ where scalar.value < 0x20:
      let hex = String(scalar.value, radix: 16)
      result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}
