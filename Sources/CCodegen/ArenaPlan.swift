/// The last lowering pass: places arena buffers so that buffers whose lifetimes do not overlap
/// share memory.
///
/// Expects a plan whose kernels list every buffer they read and write. Guarantees every
/// arena buffer an offset and `arenaBytes` the total. A buffer lives from the kernel that writes it to the last kernel that reads it. A block
/// of memory can take a new buffer once every kernel reading its previous tenant has run
/// (strictly before the new buffer's writer, so a kernel never overwrites what it reads).
/// Best fit among free blocks, else a new block at the end; blocks are never split (n log n
/// in buffers, times the number of blocks).
/// Offsets are multiples of 64. Deterministic: the same plan gives the same layout.
public enum ArenaPlan {
  /// The plan with arena offsets assigned and `arenaBytes` set.
  public static func pack(_ schedule: Plan) -> Plan {
    var producer: [Int: Int] = [:]
    var lastUse: [Int: Int] = [:]
    for (k, kernel) in schedule.kernels.enumerated() {
      for b in kernel.writes where producer[b] == nil { producer[b] = k }
      for b in kernel.reads { lastUse[b] = k }
    }
    struct Block {
      var offset: Int
      var size: Int
      var freeAfter: Int  // the last kernel that reads the current tenant
    }
    var blocks: [Block] = []
    var end = 0
    var result = schedule
    let arenaBuffers = schedule.buffers.indices.filter {
      if case .arena = schedule.buffers[$0].place { return true }
      return false
    }
    let order = arenaBuffers.sorted { (producer[$0] ?? 0, $0) < (producer[$1] ?? 0, $1) }
    for b in order {
      let type = schedule.buffers[b].type
      let size = (type.count * type.dtype.byteSize + 63) / 64 * 64
      let start = producer[b] ?? 0
      let finish = max(lastUse[b] ?? start, start)
      let free = blocks.indices.filter { blocks[$0].freeAfter < start && blocks[$0].size >= size }
      if let best = free.min(by: { (blocks[$0].size, $0) < (blocks[$1].size, $1) }) {
        blocks[best].freeAfter = finish
        result.buffers[b].place = .arena(offset: blocks[best].offset)
      } else {
        blocks.append(Block(offset: end, size: size, freeAfter: finish))
        result.buffers[b].place = .arena(offset: end)
        end += size
      }
    }
    result.arenaBytes = end
    return result
  }
}
