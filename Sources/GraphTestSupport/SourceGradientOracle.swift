import Foundation
import GraphIR
import GraphLanguage

/// Central finite differences for every `grad(y, x)` of a `.graph` program, computed from
/// the program's text rather than from the graph the parser built for it.
///
/// The language says that for `grad(y, v)`, `v` is an independent variable with its own
/// inputs held fixed. In the text, that is a perturbation added where `v` is defined:
/// `v = EXPR` becomes `v = (EXPR) + oracle_d_v` with `oracle_d_v` a new input, zero at the
/// base point. An alias (`z = t`) is the same value as `t`, so the perturbation goes on the
/// definition at the end of the chain; an input or a param is perturbed directly. For each
/// call, `oracle_yK = y` is written on a line of its own just before the line holding it,
/// and the program outputs those. Every `grad` inside the program is still computed by
/// graphc, so a second-order check trusts first-order gradients as functions; those are
/// checked at their own calls.
///
/// Method: for each perturbed name, one direction `u` with entries ±[0.5, 1] (random signs,
/// so no element is weighted near zero), `h = 1e-4 * max(1, max|x|)`, and from `y` at
/// `x + s h u` for `s` in -2...2, by the interpreter:
/// - the central differences `D(h) = (y₁ - y₋₁) / 2h` and `D(2h) = (y₂ - y₋₂) / 4h`; for a
///   smooth function `d = |D(h) - D(2h)|` is about 3/4 of the truncation error of `D(2h)`,
///   so it bounds that of `D(h)`;
/// - the one-sided differences `F = (-3y₀ + 4y₁ - y₂) / 2h` and `B = (3y₀ - 4y₋₁ + y₋₂) / 2h`,
///   both exact to O(h²) with the same leading error, so `k = |F - B|` is tiny where `y` is
///   smooth and is the jump of the slope at a kink sitting exactly at `x` (`relu` of an exact
///   zero, `reduce_max` of tied values), which central differences alone cannot see: they
///   average the two sides, while the gradient follows the documented convention.
///
/// The gradient's side is `Σ g_j u_j`. With `scale = max(1, Σ|g_j u_j|, |D(h)|)`:
/// - the check is *unstable*, and skipped, when `d` or `k` exceeds `1e-3 * scale` or a value
///   is not finite: a kink or a fast change lies within the steps, and finite differences
///   say nothing reliable;
/// - otherwise the gradient *agrees* when `|Σ g_j u_j - D(h)| <= 1e-6 * scale + 2d + k +
///   1e-13 * max|y| / h`: a relative 1e-6, plus the measured truncation error, plus what a
///   small kink can move the average, plus the rounding error of the differences of y.
public enum SourceGradientOracle {
  /// The verdict on one `grad` call.
  public struct Check: Sendable, CustomStringConvertible {
    public enum Verdict: Sendable { case agrees, disagrees, unstable }

    /// The call, as the parser recorded it.
    public var site: GradientSite
    /// `grad(y, x) at LINE:COLUMN`.
    public var label: String
    /// `Σ g_j u_j`, the gradient along the direction.
    public var computed: Double
    /// `D(h)` and `D(2h)`.
    public var estimate: Double
    public var coarse: Double
    public var tolerance: Double
    public var verdict: Verdict

    public var description: String {
      "\(label): \(verdict), gradient along u \(computed), finite differences \(estimate) "
        + "(with 2h: \(coarse)), tolerance \(tolerance)"
    }
  }

  /// A mistake in the oracle's reading of the program (never in the program itself).
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// One `grad` call as written.
  struct Call {
    var site: GradientSite
    var y: String
    var x: String
    /// The name perturbed for it: `x`, or the end of `x`'s alias chain.
    var root: String
  }

  /// Checks every `grad` call of `file` (parsed from `source`), given the program's values
  /// of inputs and params and the interpreter's value of every node of `file.graph`.
  /// `seed` picks the directions. Also checks that the rewritten program gives each `y` the
  /// value the graph has (else one `disagrees` check labelled `value of y`).
  public static func check(
    source: String, file: GraphFile, values: [String: Tensor], nodes: [Tensor], seed: UInt64
  ) throws -> [Check] {
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let definitions = Self.definitions(lines)
    let calls = try file.gradients.map { site in
      let (y, x) = try arguments(of: site, in: lines)
      var root = x
      while let rest = definitions[root]?.expression, isName(rest) { root = rest }
      return Call(site: site, y: y, x: x, root: root)
    }
    guard !calls.isEmpty else { return [] }
    var roots: [String] = []
    for call in calls where !roots.contains(call.root) { roots.append(call.root) }
    let perturbed = roots.filter { file.declaration(named: $0) == nil }
    var shapes: [String: [Int]] = [:]
    for call in calls { shapes[call.root] = file.graph[call.site.x].type.shape }

    let text = rewrite(lines, calls, perturbed, definitions, shapes)
    let oracle: Graph
    do {
      oracle = try GraphParser.parse(text, fileName: "oracle.graph")
    } catch {
      throw Failure(description: "the rewritten program does not parse: \(error)\n\(text)")
    }
    var base = values
    for name in perturbed {
      base["oracle_d_" + name] = Tensor(filling: 0, TensorType(.f64, perturbedShape(name, shapes)))
    }
    func ys(_ inputs: [String: Tensor]) throws -> [Double] {
      let outputs = try Interpreter.run(oracle, inputs)
      // The oracle outputs every `oracle_yK`, and `grad` takes a scalar y.
      return calls.indices.map { k in
        guard let y = outputs["oracle_y\(k)"]?.scalar else {
          preconditionFailure("the oracle gave no scalar oracle_y\(k)")
        }
        return y
      }
    }

    let centre = try ys(base)
    var checks: [Check] = []
    for (k, y) in centre.enumerated() {
      guard let graphY = nodes[calls[k].site.y.index].scalar else {
        preconditionFailure(
          "grad's y is not a scalar:\n\(file.graph.context(around: calls[k].site.y))")
      }
      if worstError(Tensor(y), Tensor(graphY)) > 1e-12 {
        checks.append(
          Check(
            site: calls[k].site, label: "value of y in \(label(calls[k]))", computed: graphY,
            estimate: y, coarse: y,
            tolerance: 1e-12, verdict: .disagrees))
      }
    }
    var rng = SeededGenerator(seed: seed ^ 0x6F72_6163_6C65)
    for root in roots {
      let here = calls.indices.filter { calls[$0].root == root }
      let isDefinition = perturbed.contains(root)
      let key = isDefinition ? "oracle_d_" + root : root
      guard let start = base[key] else { throw Failure(description: "no value for \(key)") }
      let x = isDefinition ? nodes[calls[here[0]].site.x.index] : start
      let u = x.scalars.map { _ in (rng.next() % 2 == 0 ? 1.0 : -1.0) * (0.5 + 0.5 * rng.unit()) }
      let h = 1e-4 * max(1, x.scalars.map(Swift.abs).max() ?? 0)
      func at(_ s: Double) throws -> [Double] {
        var inputs = base
        inputs[key] = Tensor(
          .f64, shape: start.shape, scalars: zip(start.scalars, u).map { $0 + s * $1 })
        return try ys(inputs)
      }
      let (up, down, up2, down2) = (try at(h), try at(-h), try at(2 * h), try at(-2 * h))
      for k in here {
        let g = nodes[calls[k].site.result.index].scalars
        let computed = zip(g, u).reduce(0) { $0 + $1.0 * $1.1 }
        let magnitude = zip(g, u).reduce(0) { $0 + Swift.abs($1.0 * $1.1) }
        let fine = (up[k] - down[k]) / (2 * h)
        let coarse = (up2[k] - down2[k]) / (4 * h)
        let forward = (-3 * centre[k] + 4 * up[k] - up2[k]) / (2 * h)
        let backward = (3 * centre[k] - 4 * down[k] + down2[k]) / (2 * h)
        let scale = max(1, magnitude, Swift.abs(fine))
        let spread = Swift.abs(fine - coarse)
        let kink = Swift.abs(forward - backward)
        let largest = max(
          Swift.abs(centre[k]), Swift.abs(up[k]), Swift.abs(down[k]), Swift.abs(up2[k]),
          Swift.abs(down2[k]))
        let tolerance = 1e-6 * scale + 2 * spread + kink + 1e-13 * largest / h
        let verdict: Check.Verdict
        if !(spread <= 1e-3 * scale && kink <= 1e-3 * scale) {
          verdict = .unstable  // also when a value is not finite
        } else {
          verdict = Swift.abs(computed - fine) <= tolerance ? .agrees : .disagrees
        }
        checks.append(
          Check(
            site: calls[k].site, label: label(calls[k]), computed: computed, estimate: fine,
            coarse: coarse,
            tolerance: tolerance, verdict: verdict))
      }
    }
    return checks
  }

  static func label(_ call: Call) -> String {
    "grad(\(call.y), \(call.x)) at \(call.site.position)"
  }

  /// `NAME = EXPRESSION` lines: the line index and the expression (comment removed).
  static func definitions(_ lines: [String]) -> [String: (line: Int, expression: String)] {
    var result: [String: (line: Int, expression: String)] = [:]
    for (i, line) in lines.enumerated() {
      let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
      guard let equals = code.firstIndex(of: "=") else { continue }
      let name = code[..<equals].trimmingCharacters(in: .whitespaces)
      let rest = code[code.index(after: equals)...]
      guard isName(name), !rest.hasPrefix("=") else { continue }
      result[name] = (i, rest.trimmingCharacters(in: .whitespaces))
    }
    return result
  }

  static func isName(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, first == "_" || first.properties.isAlphabetic
    else { return false }
    return text.unicodeScalars.allSatisfy {
      $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
    }
  }

  /// The text of `y` and the name `x` of the call at `site`, read from its line.
  static func arguments(of site: GradientSite, in lines: [String]) throws -> (String, String) {
    let line = Array(lines[site.position.line - 1].utf8)
    var i = site.position.column - 1
    guard i >= 0, i + 5 <= line.count, String(decoding: line[i..<(i + 5)], as: UTF8.self) == "grad("
    else { throw Failure(description: "no 'grad(' at \(site.position)") }
    i += 5
    let start = i
    var depth = 0
    var comma: Int? = nil
    while i < line.count {
      switch line[i] {
      case UInt8(ascii: "("), UInt8(ascii: "["): depth += 1
      case UInt8(ascii: "]"): depth -= 1
      case UInt8(ascii: ")") where depth == 0:
        guard let comma else { throw Failure(description: "no ',' in grad at \(site.position)") }
        let y = String(decoding: line[start..<comma], as: UTF8.self)
        let x = String(decoding: line[(comma + 1)..<i], as: UTF8.self)
        return (
          y.trimmingCharacters(in: .whitespaces), x.trimmingCharacters(in: .whitespaces)
        )
      case UInt8(ascii: ")"): depth -= 1
      case UInt8(ascii: ",") where depth == 0: comma = i
      default: break
      }
      i += 1
    }
    throw Failure(description: "unclosed grad at \(site.position)")
  }

  /// The program with perturbation inputs, perturbed definitions, a line `oracle_yK = y`
  /// before each call's line, and outputs `oracle_y0, oracle_y1, ...`.
  static func rewrite(
    _ lines: [String], _ calls: [Call], _ perturbed: [String],
    _ definitions: [String: (line: Int, expression: String)], _ shapes: [String: [Int]]
  ) -> String {
    var result: [String] = perturbed.map { name in
      let shape = perturbedShape(name, shapes)
      let type = shape.isEmpty ? "f64" : "f64[\(shape.map(String.init).joined(separator: ", "))]"
      return "input oracle_d_\(name): \(type)"
    }
    let rewritten = Dictionary(
      uniqueKeysWithValues: perturbed.compactMap { name in
        definitions[name].map { ($0.line, "\(name) = (\($0.expression)) + oracle_d_\(name)") }
      })
    for (i, line) in lines.enumerated() {
      for (k, call) in calls.enumerated() where call.site.position.line == i + 1 {
        result.append("oracle_y\(k) = \(call.y)")
      }
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      if words.first == "output", words.count > 1, words[1] != "=" { continue }
      result.append(rewritten[i] ?? line)
    }
    result.append("output " + calls.indices.map { "oracle_y\($0)" }.joined(separator: ", "))
    return result.joined(separator: "\n") + "\n"
  }
}

/// The shape of a perturbed name: every perturbed name is the root of a call, and each
/// root's shape is recorded.
private func perturbedShape(_ name: String, _ shapes: [String: [Int]]) -> [Int] {
  guard let shape = shapes[name] else { preconditionFailure("no shape for '\(name)'") }
  return shape
}
