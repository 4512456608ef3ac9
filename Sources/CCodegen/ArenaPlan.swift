/// The last lowering pass: places arena buffers so that buffers whose lifetimes do not overlap
/// share memory.
///
/// Expects a plan whose kernels list every buffer they read and write. Guarantees every
/// arena buffer an offset and `arenaBytes` the total. A buffer lives from the kernel that writes it to the last kernel that reads it. A block
/// of memory can take a new buffer once every kernel reading its previous tenant has run
/// (strictly before the new buffer's writer, so a kernel never overwrites what it reads).
/// Best fit among free blocks, else a new block at the end; blocks are never split.
/// O(n log n) comparisons in the number of buffers.
/// Offsets are multiples of 64. Deterministic: the same plan gives the same layout. With index
/// checks, the fault record (two `long long`s) gets 64 bytes of its own at the end.
public enum ArenaPlan {
  /// The plan with arena offsets assigned and `arenaBytes` set.
  public static func pack(_ plan: Plan) -> Plan {
    var producer: [Int: Int] = [:]
    var lastUse: [Int: Int] = [:]
    for (k, kernel) in plan.kernels.enumerated() {
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
    var result = plan
    let arenaBuffers = plan.buffers.indices.filter {
      if case .arena = plan.buffers[$0].place { return true }
      return false
    }
    for b in arenaBuffers where producer[b] == nil {
      preconditionFailure("lowering: arena buffer \(plan.buffers[b].name) has no writer")
    }
    let order = arenaBuffers.sorted {
      (producer[$0, default: 0], $0) < (producer[$1, default: 0], $1)
    }
    // Blocks whose tenant is still read, by the kernel after which they free up (latest
    // first, so the next to free is last), and free blocks by (size, index): both kept
    // sorted by binary search, so each buffer costs O(log blocks) comparisons.
    var busy: [Int] = []
    var free: [Int] = []
    func insert(_ block: Int, into list: inout [Int], by key: (Int) -> (Int, Int)) {
      var low = 0
      var high = list.count
      while low < high {
        let mid = (low + high) / 2
        if key(list[mid]) < key(block) { low = mid + 1 } else { high = mid }
      }
      list.insert(block, at: low)
    }
    let busyKey = { (k: Int) in (-blocks[k].freeAfter, k) }
    let freeKey = { (k: Int) in (blocks[k].size, k) }
    for b in order {
      let type = plan.buffers[b].type
      let size = (type.count * type.dtype.byteSize + 63) / 64 * 64
      let start = producer[b, default: 0]
      let finish = max(lastUse[b] ?? start, start)
      while let k = busy.last, blocks[k].freeAfter < start {
        busy.removeLast()
        insert(k, into: &free, by: freeKey)
      }
      // Best fit: the first free block (by size, then index) at least `size` long.
      var low = 0
      var high = free.count
      while low < high {
        let mid = (low + high) / 2
        if blocks[free[mid]].size < size { low = mid + 1 } else { high = mid }
      }
      let k: Int
      if low < free.count {
        k = free.remove(at: low)
        blocks[k].freeAfter = finish
      } else {
        blocks.append(Block(offset: end, size: size, freeAfter: finish))
        k = blocks.count - 1
        end += size
      }
      result.buffers[b].place = .arena(offset: blocks[k].offset)
      insert(k, into: &busy, by: busyKey)
    }
    if !plan.checks.isEmpty {
      result.faultOffset = end
      end += 64
    }
    result.arenaBytes = end
    return result
  }
}
