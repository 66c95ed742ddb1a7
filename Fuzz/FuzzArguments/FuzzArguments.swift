// libFuzzer's entry point for the arguments fuzz target (FuzzChecks says what it checks). make fuzz
// builds it with --sanitize=fuzzer, which brings libFuzzer's main; a plain build links an empty one.
import FuzzChecks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzArguments(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.arguments.fuzz(data, size)
}
