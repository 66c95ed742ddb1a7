// The lines --stats and SIGUSR1 print for a balancing broker's workers: totals first, then one
// line per present worker (requests answered, time busy). Text only; the caller writes it.

extension WorkerPool {
    /// "workers: 2 (1 idle, 1 busy), 3 lost, 0 left; 41 requests answered, 1 lost with its worker",
    /// then "worker ID: N requests, busy S s" for each present worker, most requests first.
    func statsLines() -> [String] {
        let sum = totals
        var lines = ["workers: \(count) (\(idleCount) idle, \(busyCount) busy), \(sum.workersLost) lost, \(sum.workersLeft) left; "
            + "\(Words.count(sum.requests, "request")) answered, \(sum.requestsLost) lost with its worker"]
        for worker in roster {
            lines.append("worker \(PirateWire.show(worker.id)): \(Words.count(worker.requests, "request")), "
                + "busy \(Words.format(Double(worker.busyNanoseconds) / 1e9)) s")
        }
        return lines
    }
}
