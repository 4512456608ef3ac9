// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "graphc",
  products: [
    .executable(name: "graphc", targets: ["graphc"]),
    .executable(name: "fashion-mnist", targets: ["fashion-mnist"]),
    .executable(name: "char-transformer", targets: ["char-transformer"]),
    .executable(name: "char-rnn", targets: ["char-rnn"]),
    .executable(name: "optimal-control", targets: ["optimal-control"]),
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
      dependencies: ["GraphIR", "CCodegen", "CTinyCC"],
      linkerSettings: [.linkedLibrary("openblas")]),
    .target(name: "GraphLanguage", dependencies: ["GraphIR", "Autodiff"]),
    .executableTarget(
      name: "graphc",
      dependencies: [
        "GraphIR", "CCodegen", "GraphCompiler", "GraphLanguage", "Autodiff", "GraphData",
        "GraphTraining", "TrainingOptions",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .target(name: "GraphData", dependencies: ["GraphIR", "CZlib"]),
    .target(
      name: "GraphTraining", dependencies: ["GraphIR", "Autodiff", "GraphCompiler", "GraphData"]),
    .target(
      name: "TrainingOptions",
      dependencies: [
        "GraphTraining", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .executableTarget(
      name: "fashion-mnist",
      dependencies: [
        "GraphIR", "GraphTraining", "GraphCompiler", "GraphData", "TrainingOptions",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/FashionMNIST"),
    .target(
      name: "CharacterModels",
      dependencies: [
        "GraphTraining", "GraphCompiler", "GraphData",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/CharacterModels"),
    .executableTarget(
      name: "char-transformer",
      dependencies: [
        "GraphIR", "GraphTraining", "GraphCompiler", "GraphData", "CharacterModels",
        "TrainingOptions", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/CharTransformer"),
    .executableTarget(
      name: "char-rnn",
      dependencies: [
        "GraphIR", "GraphTraining", "GraphCompiler", "GraphData", "CharacterModels",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/CharRNN"),
    .target(
      name: "OptimalControl", dependencies: ["GraphIR", "Autodiff", "GraphCompiler"],
      path: "Examples/OptimalControl/Problem"),
    .executableTarget(
      name: "optimal-control",
      dependencies: [
        "OptimalControl", "GraphCompiler",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Examples/OptimalControl/Command"),
    .target(name: "GraphTestSupport", dependencies: ["GraphIR", "GraphLanguage"]),
    .testTarget(name: "GraphIRTests", dependencies: ["GraphIR", "GraphTestSupport"], exclude: ["Fixtures"]),
    .testTarget(
      name: "GraphDataTests", dependencies: ["GraphData", "GraphIR", "GraphTestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "GraphIR", "GraphTestSupport"]),
    .testTarget(name: "KernelsTests", dependencies: ["GraphTestSupport"]),
    .testTarget(
      name: "CCodegenTests",
      dependencies: ["CCodegen", "GraphIR", "GraphLanguage", "GraphTestSupport", "Autodiff"],
      resources: [.copy("Golden")]),
    .testTarget(
      name: "GraphCompilerTests",
      dependencies: ["GraphCompiler", "GraphIR", "CCodegen", "Autodiff", "GraphTestSupport"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["GraphCompiler", "GraphIR", "Autodiff", "GraphLanguage", "GraphTestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "GraphTrainingTests",
      dependencies: ["GraphTraining", "GraphIR", "GraphCompiler", "GraphData", "GraphTestSupport"]),
    .executableTarget(
      name: "workloads",
      dependencies: [
        "GraphIR", "GraphCompiler", "GraphTraining", "GraphLanguage", "Autodiff", "GraphTestSupport",
        "OptimalControl",
      ],
      path: "Benchmarks/Workloads",
      linkerSettings: [.linkedLibrary("openblas")]),
    .executableTarget(
      name: "graphc-bench",
      dependencies: ["GraphIR", "GraphCompiler", "GraphLanguage", "GraphTestSupport"],
      path: "Benchmarks/CompileLatency"),
    .executableTarget(
      name: "graphc-fuzz",
      dependencies: ["GraphIR", "CCodegen", "GraphCompiler", "GraphLanguage", "Autodiff"],
      path: "Benchmarks/Fuzz", exclude: ["README.md", "corpus", "graph.dict", "lsan.supp"]),
    .testTarget(
      name: "OptimalControlTests",
      dependencies: ["OptimalControl", "GraphCompiler", "GraphIR", "GraphTestSupport"]),
    .testTarget(name: "GraphLanguageTests", dependencies: ["GraphLanguage", "GraphIR"]),
    .testTarget(
      name: "graphcTests", dependencies: ["graphc", "GraphLanguage", "GraphIR", "GraphData"]),
  ]
)
