// worker: a load-balancing broker's worker (broker --mode lb, or majordomo with --service).
// Being built (issue 11): until then it says so and ends with status 1.

enum WorkerCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        throw Exit.runtime("zswift worker is not built yet")
    }
}
