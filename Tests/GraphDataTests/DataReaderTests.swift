import Foundation
import GraphData
import GraphIR
import GraphTestSupport
import Testing

@Suite struct DataReaderTests {
  static let fixtures = packageRoot().appendingPathComponent("Tests/GraphDataTests/Fixtures").path

  @Test func readsGzippedIDXImagesExactly() throws {
    let (shape, values) = try IDX.read("\(Self.fixtures)/tiny-images-idx3-ubyte.gz")
    #expect(shape == [3, 2, 2])
    #expect(values == [0, 255, 128, 1, 10, 20, 30, 40, 255, 0, 0, 255])
  }

  @Test func readsPlainIDXLabels() throws {
    let (shape, values) = try IDX.read("\(Self.fixtures)/tiny-labels-idx1-ubyte")
    #expect(shape == [3])
    #expect(values == [7, 0, 9])
  }

  @Test(
    arguments: [
      ([0, 0, 8, 1, 0, 0, 0, 3, 7, 0], "truncated: header [3] needs 11 bytes, file has 10"),
      ([0, 0, 8, 1, 0, 0, 0, 1, 7, 0], "too long: header [1] needs 9 bytes, file has 10"),
      ([1, 0, 8, 1], "not an IDX file: magic number starts 1 0, expected 0 0"),
      ([0, 0, 0x42, 1, 0, 0, 0, 0], "unsupported IDX element type 0x42 at byte 2"),
      ([0, 0, 8, 2, 0, 0, 0], "truncated IDX header: rank 2 needs 12 bytes, file has 7"),
    ] as [([UInt8], String)])
  func rejectsBrokenIDX(bytes: [UInt8], message: String) {
    #expect(throws: DataError("f.idx", message)) { try IDX.decode(bytes, file: "f.idx") }
  }

  @Test func rejectsTruncatedGzip() throws {
    let path = "\(Self.fixtures)/tiny-images-idx3-ubyte.gz"
    let bytes = try #require(FileManager.default.contents(atPath: path))
    let error = #expect(throws: DataError.self) {
      try gunzip(Array(bytes.prefix(bytes.count / 2)), file: "cut.gz")
    }
    #expect(error?.description.hasPrefix("cut.gz: error: truncated gzip stream") == true)
  }

  @Test func missingFileIsNamed() {
    #expect(throws: DataError("/nonexistent/x.gz", "cannot read the file (missing or unreadable)"))
    {
      try IDX.read("/nonexistent/x.gz")
    }
  }

  @Test func readsNumpyFiles() throws {
    let f8 = try NPY.read("\(Self.fixtures)/small.npy")
    #expect(f8 == Tensor(.f64, shape: [2, 2], scalars: [1.5, -2.0, 3.25, 1e-300]))
    let f4 = try NPY.read("\(Self.fixtures)/small-f4.npy")
    #expect(f4.dtype == .f32 && f4.shape == [3])
    #expect(f4.scalars == [Double(Float(0.1)), 2.5, -3.0])
  }

  @Test(arguments: [DType.f32, .f64])
  func npyRoundTripsBitForBit(dtype: DType) throws {
    var rng = SeededGenerator(seed: 3)
    let t = Tensor(dtype, shape: [3, 5], scalars: (0..<15).map { _ in rng.normal() * 1e3 } + [])
    let weird = Tensor(dtype, shape: [4], scalars: [-0.0, .infinity, .nan, .leastNonzeroMagnitude])
    for tensor in [t, weird] {
      let back = try NPY.decode(NPY.encode(tensor), file: "mem")
      #expect(back.shape == tensor.shape && back.dtype == tensor.dtype)
      #expect(back.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern))
    }
  }

  @Test func rejectsBrokenNumpy() {
    var bytes = NPY.encode(Tensor(.f64, shape: [2], scalars: [1, 2]))
    bytes.removeLast()
    #expect(throws: DataError("m.npy", "data size 15 bytes does not match shape [2] of <f8")) {
      try NPY.decode(bytes, file: "m.npy")
    }
    #expect(throws: DataError("m.npy", "not a .npy file (missing the \\x93NUMPY magic)")) {
      try NPY.decode(Array("hello world".utf8), file: "m.npy")
    }
  }

  @Test func readsCSVWithHeaderAndReportsBadFields() throws {
    let t = try CSV.decode("a,b\n1,2\n3.5,-4\n", file: "d.csv")
    #expect(t == Tensor(.f64, shape: [2, 2], scalars: [1, 2, 3.5, -4]))
    #expect(throws: DataError("d.csv", "line 3, field 2: 'x' is not a number")) {
      try CSV.decode("1,2\n3,4\n5,x\n", file: "d.csv")
    }
    #expect(throws: DataError("d.csv", "line 2: 1 fields, expected 2")) {
      try CSV.decode("1,2\n3\n", file: "d.csv")
    }
  }
}
