/// Places arena buffers so that buffers whose lifetimes do not overlap share memory.
///
/// A buffer lives from the kernel that writes it to the last kernel that reads it. A block
/// of memory can take a new buffer once every kernel reading its previous tenant has run
/// (strictly before the new buffer's writer, so a kernel never overwrites what it reads).
/// Best fit among free blocks, else a new block at the end; blocks are never split.
/// Offsets are multiples of 64. Deterministic: the same schedule gives the same layout.
enum ArenaPlan {
  /// Returns the schedule with arena offsets reassigned and `arenaBytes` updated.
  static func pack(_ schedule: Schedule) -> Schedule {
    var producer: [Int: Int] = [:]
    var lastUse: [Int: Int] = [:]
    for (k, kernel) in schedule.kernels.enumerated() {
      for root in kernel.roots where producer[root.buffer] == nil { producer[root.buffer] = k }
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
