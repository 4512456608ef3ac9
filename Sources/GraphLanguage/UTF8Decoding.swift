/// Decodes one UTF-8 sequence starting at `i`: its scalar and its length in bytes, or nil
/// when the bytes are not well-formed UTF-8 (overlong forms, surrogates, values above
/// U+10FFFF, truncated or stray continuation bytes).
func decodeUTF8(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
  let lead = bytes[i]
  if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
  // Each lead byte fixes the length and the allowed range of the first continuation byte
  // (the narrowed ranges exclude overlong forms, surrogates and values past U+10FFFF).
  let length: Int
  var low: UInt8 = 0x80
  var high: UInt8 = 0xBF
  switch lead {
  case 0xC2...0xDF: length = 2
  case 0xE0: (length, low) = (3, 0xA0)
  case 0xE1...0xEC, 0xEE...0xEF: length = 3
  case 0xED: (length, high) = (3, 0x9F)
  case 0xF0: (length, low) = (4, 0x90)
  case 0xF1...0xF3: length = 4
  case 0xF4: (length, high) = (4, 0x8F)
  default: return nil
  }
  guard i + length <= bytes.count else { return nil }
  var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
  for k in 1..<length {
    let b = bytes[i + k]
    let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
    guard b >= lo, b <= hi else { return nil }
    value = value << 6 | UInt32(b & 0x3F)
  }
  guard let scalar = Unicode.Scalar(value) else { return nil }
  return (scalar, length)
}
