// Black-box: the generated completions load in their shells and complete commands and flags.
import Glibc
import Testing
import TestSupport

func hasShell(_ name: String) -> Bool { access("/usr/bin/\(name)", X_OK) == 0 || access("/bin/\(name)", X_OK) == 0 }

@Test func bashCompletionOffersCommandsFlagsAndChoices() throws {
    let script = """
        source "$1/completions/zswift.bash"
        COMP_WORDS=(zswift pu); COMP_CWORD=1; _zswift; echo "${COMPREPLY[*]}"
        COMP_WORDS=(zswift sub --sub); COMP_CWORD=2; _zswift; echo "${COMPREPLY[*]}"
        COMP_WORDS=(zswift pull --out j); COMP_CWORD=3; _zswift; echo "${COMPREPLY[*]}"
        """
    let r = try run(["bash", "-c", script, "bash", Paths.packageRoot], within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(lines(r.out) == ["pub push pull", "--subscribe", "json"])
}

@Test(.enabled(if: hasShell("zsh"))) func zshCompletionParses() throws {
    let r = try run(["zsh", "-n", Paths.packageRoot + "/completions/_zswift"], within: 10)
    #expect(r.status == 0, "\(r)")
}

@Test(.enabled(if: hasShell("fish"))) func fishCompletionOffersTheSubscribeFlag() throws {
    let r = try run(["fish", "-c", "source $argv[1]/completions/zswift.fish; complete -C 'zswift sub --sub'", Paths.packageRoot], within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(r.out.hasPrefix("--subscribe"))
}
