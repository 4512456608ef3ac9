import Foundation

/// A line chart of training curves as a standalone SVG file (any browser opens it).
public struct CurvePlot {
  /// One named series of y values at x = 1, 2, ...
  public struct Series {
    public var name: String
    public var values: [Double]
    public var color: String

    public init(_ name: String, _ values: [Double], color: String) {
      self.name = name
      self.values = values
      self.color = color
    }
  }

  public var title: String
  public var xLabel: String
  /// Series drawn against the left axis (e.g. losses) and the right axis (e.g. accuracies).
  public var left: [Series]
  public var right: [Series]

  public init(title: String, xLabel: String, left: [Series], right: [Series] = []) {
    self.title = title
    self.xLabel = xLabel
    self.left = left
    self.right = right
  }

  /// The SVG document.
  public func svg(width: Double = 640, height: Double = 400) -> String {
    let (x0, x1, y0, y1) = (60.0, width - 60, height - 50, 40.0)
    let n = max(([left, right].flatMap { $0 }.map(\.values.count).max() ?? 1), 1)
    func xs(_ i: Int) -> Double {
      n == 1 ? (x0 + x1) / 2 : x0 + (x1 - x0) * Double(i) / Double(n - 1)
    }
    func range(_ series: [Series]) -> (Double, Double) {
      let all = series.flatMap(\.values).filter(\.isFinite)
      guard let lo = all.min(), let hi = all.max() else { return (0, 1) }
      return lo == hi ? (lo - 0.5, hi + 0.5) : (lo, hi)
    }
    var out = """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      font-family="sans-serif" font-size="12">
      <rect width="100%" height="100%" fill="white"/>
      <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>
      <line x1="\(x0)" y1="\(y0)" x2="\(x1)" y2="\(y0)" stroke="black"/>
      <text x="\((x0 + x1) / 2)" y="\(height - 12)" text-anchor="middle">\(escape(xLabel))</text>

      """
    for i in 0..<n where n <= 30 || i % (n / 10) == 0 {
      out += "<text x=\"\(fmt(xs(i)))\" y=\"\(y0 + 16)\" text-anchor=\"middle\">\(i + 1)</text>\n"
    }
    for (side, series, axisX) in [(0, left, x0), (1, right, x1)] where !series.isEmpty {
      let (lo, hi) = range(series)
      func ys(_ v: Double) -> Double { y0 - (y0 - y1) * (v - lo) / (hi - lo) }
      out += "<line x1=\"\(axisX)\" y1=\"\(y0)\" x2=\"\(axisX)\" y2=\"\(y1)\" stroke=\"black\"/>\n"
      for k in 0...4 {
        let v = lo + (hi - lo) * Double(k) / 4
        let anchor = side == 0 ? "end" : "start"
        let tx = side == 0 ? axisX - 6 : axisX + 6
        out +=
          "<text x=\"\(fmt(tx))\" y=\"\(fmt(ys(v) + 4))\" text-anchor=\"\(anchor)\">\(String(format: "%.3g", v))</text>\n"
      }
      for (k, s) in series.enumerated() {
        let points = s.values.enumerated().filter { $0.element.isFinite }
          .map { "\(fmt(xs($0.offset))),\(fmt(ys($0.element)))" }.joined(separator: " ")
        out +=
          "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
        let ly = y1 + 16 * Double(k) + (side == 0 ? 0 : 16 * Double(left.count))
        out +=
          "<line x1=\"\(x0 + 10)\" y1=\"\(fmt(ly))\" x2=\"\(x0 + 30)\" y2=\"\(fmt(ly))\" stroke=\"\(s.color)\" stroke-width=\"2\"/>\n"
        let axis = side == 0 ? "left" : "right"
        out +=
          "<text x=\"\(x0 + 36)\" y=\"\(fmt(ly + 4))\">\(escape(s.name)) (\(axis) axis)</text>\n"
      }
    }
    return out + "</svg>\n"
  }

  /// Writes the SVG to a file.
  public func write(to path: String) throws {
    try svg().write(toFile: path, atomically: true, encoding: .utf8)
  }

  private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

  private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;")
  }
}
