import Foundation
import GraphIR

extension GradBenchModule {
  /// ht: theta float[26], us float[n][2] (empty in the simple variant) and data: the model
  /// (parents, base_relatives and inverse_base_absolutes float[b][4][4], base_positions
  /// float[v][4], weights float[v][b], triangles int[t][3], is_mirrored), the
  /// correspondences int[n] and the points float[n][3]. The template is written for the
  /// variant (`complicated` or `simple`), the bone tree (its `#step` blocks, one per level
  /// below the roots), whether to skin only the vertices the points read, and the number of
  /// copies of the pose (26 for the Jacobian, 1 for the objective).
  func ht(_ input: GradBenchFields, function: String) throws -> GradBenchInstance {
    let data = try input.fields("data")
    let model = try data.fields("model")
    let theta = try input.tensor("theta", rank: 1)
    guard theta.shape == [26] else {
      throw GradBenchError("ht: theta must have 26 numbers, got \(theta.shape[0])")
    }
    let points = try data.tensor("points", rank: 2)
    let n = try atLeast(1, points.shape[0], "the number of points")
    let parents = try indices(model, "parents", rank: 1)
    let b = parents.shape[0]
    // theta's finger angles go to bones 2 ... 20 (see htPoseIndex).
    guard b >= 22 else {
      throw GradBenchError("ht: the model must have 22 bones or more, got \(b)")
    }
    for (bone, parent) in parents.scalars.enumerated() where parent < -1 || parent >= Double(bone) {
      throw GradBenchError(
        "ht: bone \(bone)'s parent must be -1 or an earlier bone, got \(Int(parent))")
    }
    let basePositions = try model.tensor("base_positions", rank: 2)
    let v = try atLeast(1, basePositions.shape[0], "the number of vertices")
    let us = try input.tensor("us", rank: 2)
    let complicated = !us.scalars.isEmpty
    let triangles = try indices(model, "triangles", rank: 2)
    let t = triangles.shape[0]
    let correspondences = try indices(data, "correspondences", rank: 1)
    let tensors: [(String, Tensor, [Int])] = [
      ("points", points, [n, 3]), ("correspondences", correspondences, [n]),
      ("base_relatives", try model.tensor("base_relatives", rank: 3), [b, 4, 4]),
      ("inverse_base_absolutes", try model.tensor("inverse_base_absolutes", rank: 3), [b, 4, 4]),
      ("base_positions", basePositions, [v, 4]),
      ("weights", try model.tensor("weights", rank: 2), [v, b]),
    ]
    let variantTensors: [(String, Tensor, [Int])] =
      complicated ? [("us", us, [n, 2]), ("triangles", triangles, [t, 3])] : []
    var inputs = ["theta": theta]
    for (name, tensor, shape) in tensors + variantTensors {
      guard tensor.shape == shape else {
        throw GradBenchError(
          "ht input '\(name)' must have shape \(shape) for b = \(b), v = \(v), n = \(n), got \(tensor.shape)"
        )
      }
      inputs[name] = tensor
    }
    // The largest tensors: 26 copies of a 3 x 4 transform for each vertex or point corner.
    try checkSize([v, 26 * 12], "v * 312")
    try checkSize([3 * n, 26 * 12], "3 n * 312")
    guard let mirrored = model.object["is_mirrored"] as? Bool else {
      throw GradBenchError("model field 'is_mirrored' must be true or false")
    }
    inputs["mirror"] = Tensor(.f64, shape: [3], scalars: [mirrored ? -1 : 1, 1, 1])
    inputs["pose_index"] = htPoseIndex(bones: b)
    let r = function == "jacobian" ? 26 : 1
    inputs["replica"] = Tensor(.i64, shape: [r], scalars: [Double](repeating: 0, count: r))

    // The vertex rows the errors read; skinning only those is less work when they are fewer
    // than the model's vertices.
    let m = complicated ? 3 * n : n
    var values = [
      "b": "\(b)", "v": "\(v)", "n": "\(n)", "t": "\(t)", "r": "\(r)", "n3": "\(3 * n)",
      "r2": "\(r + 2)", "m": "\(m)",
      "complicated": "\(complicated)", "simple": "\(!complicated)",
      "gathered": "\(m < v)", "all_vertices": "\(m >= v)",
    ]
    let tree = htBoneTree(parents: parents.scalars.map { Int($0) })
    inputs["order"] = tree.order
    for (level, bones) in tree.bones.enumerated() { inputs["bones_\(level)"] = bones }
    for (level, slots) in tree.slots.enumerated() { inputs["slots_\(level + 1)"] = slots }
    values["roots"] = "\(tree.bones[0].shape[0])"
    values["depth"] = "\(tree.bones.count - 1)"
    let steps = (1..<tree.bones.count).map { level in
      ["L": "\(level)", "previous": "\(level - 1)", "count": "\(tree.bones[level].shape[0])"]
    }
    // The graph depends on the tree only through the sizes of its levels (the tables are inputs).
    let levels = tree.bones.map { String($0.shape[0]) }.joined(separator: ",")
    let variant = complicated ? "complicated" : "simple"
    return GradBenchInstance(
      key: "\(variant),b=\(b),v=\(v),n=\(n),t=\(t),levels=\(levels)", values: values, steps: steps,
      inputs: inputs)
  }

  /// The integer field `name` of `fields` as an i64 tensor of `rank` axes.
  private func indices(_ fields: GradBenchFields, _ name: String, rank: Int) throws -> Tensor {
    let tensor = try fields.tensor(name, rank: rank)
    guard tensor.scalars.allSatisfy({ $0.rounded() == $0 }) else {
      throw GradBenchError("\(fields.context) field '\(name)' must hold integers")
    }
    return Tensor(.i64, shape: tensor.shape, scalars: tensor.scalars)
  }
}

/// The bone tree level by level, as `GradBench/ht.graph` reads it: `bones[L]`, the bones of
/// depth L (the roots first) in bone order; `slots[L - 1]`, where the parent of each of
/// them sits when the levels before are stacked; `order`, where each bone sits in the stack
/// of all levels. Expects every parent to be -1 or an earlier bone.
func htBoneTree(parents: [Int]) -> (bones: [Tensor], slots: [Tensor], order: Tensor) {
  var depth: [Int] = []
  for parent in parents { depth.append(parent < 0 ? 0 : depth[parent] + 1) }
  let levels = (0...(depth.max() ?? 0)).map { level in depth.indices.filter { depth[$0] == level } }
  var slot = [Int](repeating: 0, count: parents.count)
  for (place, bone) in levels.joined().enumerated() { slot[bone] = place }
  func table(_ values: [Int]) -> Tensor {
    Tensor(.i64, shape: [values.count], scalars: values.map(Double.init))
  }
  return (
    levels.map(table), levels.dropFirst().map { table($0.map { slot[parents[$0]] }) },
    table(slot)
  )
}

/// Where each bone's Euler angles (x, z, y) sit in `[0, theta]`: 1 + their index in theta,
/// or 0 for an angle that stays 0. theta is the global rotation (0-2), the translation (3-5)
/// and four angles for each of five fingers: finger f's bones 4f + 2, 4f + 3 and 4f + 4
/// turn about x by theta[6 + 4f], theta[8 + 4f] and theta[9 + 4f], and bone 4f + 2 also
/// about z by theta[7 + 4f]; every other bone (the wrist, each finger's first bone, ...)
/// keeps its base pose.
func htPoseIndex(bones: Int) -> Tensor {
  var table = [Double](repeating: 0, count: bones * 3)
  for finger in 0..<5 {
    let (bone, angle) = (4 * finger + 2, 6 + 4 * finger)
    table[bone * 3] = Double(1 + angle)
    table[bone * 3 + 1] = Double(1 + angle + 1)
    table[(bone + 1) * 3] = Double(1 + angle + 2)
    table[(bone + 2) * 3] = Double(1 + angle + 3)
  }
  return Tensor(.i64, shape: [bones, 3], scalars: table)
}
