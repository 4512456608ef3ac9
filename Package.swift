// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "graphc",
  products: [
    .executable(name: "graphc", targets: ["graphc"]),
    .executable(name: "fashion-mnist", targets: ["fashion-mnist"]),
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
      dependencies: ["GraphIR", "Autodiff", "CCodegen", "CTinyCC"],
      linkerSettings: [.linkedLibrary("openblas")]),
    .target(name: "GraphLanguage", dependencies: ["GraphIR", "Autodiff"]),
    .executableTarget(
      name: "graphc",
      dependencies: [
        "GraphCompiler", "GraphLanguage", "Autodiff", "GraphData", "GraphTraining",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .target(name: "GraphData", dependencies: ["GraphIR", "CZlib"]),
    .target(
      name: "GraphTraining", dependencies: ["GraphIR", "Autodiff", "GraphCompiler", "GraphData"]),
    .executableTarget(
      name: "fashion-mnist",
      dependencies: [
        "GraphTraining", "GraphCompiler", "GraphData",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/FashionMNIST"),
    .target(name: "GraphTestSupport", dependencies: ["GraphIR"]),
    .testTarget(name: "GraphIRTests", dependencies: ["GraphIR", "GraphTestSupport"], exclude: ["Fixtures"]),
    .testTarget(
      name: "GraphDataTests", dependencies: ["GraphData", "GraphTestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "GraphIR", "GraphTestSupport"]),
    .testTarget(name: "KernelsTests", dependencies: ["GraphTestSupport"]),
    .testTarget(
      name: "CCodegenTests", dependencies: ["CCodegen", "GraphIR", "GraphTestSupport"],
      resources: [.copy("Golden")]),
    .testTarget(
      name: "GraphCompilerTests", dependencies: ["GraphCompiler", "Autodiff", "GraphTestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["GraphCompiler", "Autodiff", "GraphTestSupport"]),
    .testTarget(name: "GraphTrainingTests", dependencies: ["GraphTraining", "GraphCompiler", "GraphData"]),
    .executableTarget(
      name: "workloads",
      dependencies: ["GraphCompiler", "GraphTraining", "GraphLanguage", "Autodiff", "GraphTestSupport"],
      path: "Benchmarks/Workloads",
      linkerSettings: [.linkedLibrary("openblas")]),
    .executableTarget(
      name: "graphc-bench", dependencies: ["GraphCompiler", "GraphLanguage", "GraphTestSupport"],
      path: "Benchmarks/CompileLatency"),
    .executableTarget(
      name: "graphc-fuzz", dependencies: ["GraphCompiler", "GraphLanguage", "Autodiff"],
      path: "Benchmarks/Fuzz", exclude: ["README.md", "corpus", "graph.dict", "lsan.supp"]),
    .testTarget(name: "GraphLanguageTests", dependencies: ["GraphLanguage", "GraphIR"]),
    .testTarget(
      name: "graphcTests", dependencies: ["graphc", "GraphLanguage", "GraphIR", "GraphData"]),
  ]
)
