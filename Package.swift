// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "graphc",
  products: [
    .executable(name: "graphc", targets: ["graphc"]),
    .library(name: "GraphCompiler", targets: ["GraphCompiler"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .target(name: "GraphIR"),
    .target(name: "Autodiff", dependencies: ["GraphIR"]),
    .target(name: "CCodegen", dependencies: ["GraphIR"]),
    .systemLibrary(name: "CTinyCC", path: "Sources/CTinyCC"),
    .target(
      name: "GraphCompiler",
      dependencies: ["GraphIR", "Autodiff", "CCodegen", "CTinyCC"]),
    .target(name: "GraphLanguage", dependencies: ["GraphIR", "Autodiff"]),
    .executableTarget(
      name: "graphc",
      dependencies: [
        "GraphCompiler", "GraphLanguage",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .target(name: "GraphTestSupport", dependencies: ["GraphIR"]),
    .testTarget(name: "GraphIRTests", dependencies: ["GraphIR", "GraphTestSupport"]),
    .testTarget(name: "GraphLanguageTests", dependencies: ["GraphLanguage", "GraphIR"]),
    .testTarget(name: "graphcTests", dependencies: ["graphc", "GraphLanguage", "GraphIR"]),
  ]
)
