// Black-box: every shell recipe in README.md runs as written. Each ```sh block is read from the
// README itself and run by a driver that gives it peers and input and checks what it printed:
// `@N` in a driver is the block's Nth command line (its trailing comment dropped), `@ALL` the
// whole block. A new recipe without a driver fails the first test. Recipes use fixed ports, so
// they run one at a time, each in its own directory and process group, killed at the end.
import Glibc
import Testing
import TestSupport

/// A ```sh block of the README and the title it stands under.
struct Recipe: CustomStringConvertible, Sendable {
    let title: String
    let text: String
    var description: String { title }

    /// The command lines: comment-only and blank lines dropped, trailing `  # comments` cut.
    var commands: [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.drop(while: { $0 == " " }).hasPrefix("#") && !$0.isEmpty }.map { line in
            guard let cut = line.firstRange(of: "  #") ?? line.firstRange(of: " # ") else { return line }
            return String(line[..<cut.lowerBound])
        }
    }
}

/// The README's ```sh blocks, each titled by the bold text or heading nearest above it.
func readmeRecipes() throws -> [Recipe] {
    let fd = open(Paths.packageRoot + "/README.md", O_RDONLY)
    guard fd >= 0 else { throw SubprocessError("cannot open README.md") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while case let n = read(fd, &chunk, chunk.count), n > 0 { bytes += chunk[..<n] }
    var recipes: [Recipe] = []
    var title = ""
    var block: [String]?
    for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if var lines = block {
            if line == "```" {
                recipes.append(Recipe(title: title, text: lines.joined(separator: "\n")))
                block = nil
            } else {
                lines.append(line)
                block = lines
            }
        } else if line == "```sh" {
            block = []
        } else if line.hasPrefix("#") {
            title = String(line.drop { $0 == "#" || $0 == " " })
        } else if line.hasPrefix("**"), let end = line.dropFirst(2).firstRange(of: "**") {
            title = String(line.dropFirst(2)[..<end.lowerBound])
        }
    }
    return recipes
}

/// Blocks that are not recipes to run here: installing and building (CI runs those itself).
let notRun = ["Quick start"]

/// What runs each recipe, by its title (see the file's header for @N and @ALL).
let recipeDrivers: [String: String] = [
    "zswift": #"""
        { @2
        } & sink=$!
        @1
        wait $sink || fail "pull: status $?"
        [ "$(wc -l < out.txt)" = 1000 ] || fail "out.txt has $(wc -l < out.txt) lines"
        """#,
    "Weather updates with a zip-code filter": #"""
        { @1
        } &
        { @2
        } > got || fail "sub: status $?"
        [ "$(grep -c '^10001 ' got)" = 10 ] || fail "got: $(cat got)"
        """#,
    "Ventilator, workers and sink": #"""
        {
        @ALL
        } > first || fail "status $?"
        [ "$(wc -l < results.txt)" = 100 ] || fail "results.txt: $(cat results.txt)"
        [ "$(sed 's/worker [123] did //' first | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 " ] || fail "first: $(cat first)"
        """#,
    "Chat": #"""
        printf 'hi from 1\n' | { @1
        } > one & one=$!
        printf 'hi from 2\n' | { @2
        } > two || fail "side 2: status $?"
        wait $one || fail "side 1: status $?"
        [ "$(cat one)" = "hi from 2" ] && [ "$(cat two)" = "hi from 1" ] || fail "one: $(cat one); two: $(cat two)"
        """#,
    "Watch who subscribes": #"""
        touch app.log
        { @1
        } > subscriptions &
        { @2
        } > got &
        waitfor subscriptions '^+ERROR$'
        echo 'ERROR disk full' >> app.log
        waitfor got '^ERROR disk full$'
        """#,
    "An RPC one-liner": #"""
        {
        @ALL
        } > got || fail "status $?"
        [ "$(sed -n 1p got)" = HELLO ] || fail "got: $(cat got)"
        sed -n 2p got | grep -qx '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z' || fail "got: $(cat got)"
        """#,
    "Answer from the shell": #"""
        (
        @ALL
        ) &
        zswift req localhost:5555 -d 'hello there' -t 5s > got || fail "req: status $?"
        [ "$(cat got)" = "you said: hello there" ] || fail "got: $(cat got)"
        """#,
    "Retries against a flaky server": #"""
        printf 'one\ntwo\n' > requests.txt
        (sleep 2.5; exec zswift rep :5555 --echo -n 2) &    # the server comes up late: the first attempt times out
        { @1
        } > got 2> err || fail "req: status $?; $(cat err)"
        [ "$(cat got)" = "$(printf 'one\ntwo')" ] || fail "got: $(cat got)"
        grep -q 'reopening the socket and resending request 1' err || fail "err: $(cat err)"
        """#,
    "A broker with workers": #"""
        { @1
        } 2>/dev/null
        @2
        { @3
        } > answers || fail "req: status $?"
        [ "$(wc -l < answers)" = 10 ] && ! grep -vq '^worker [123]: [0-9]*$' answers || fail "answers: $(cat answers)"
        { @4
        } > captured &
        zswift sub localhost:5558 -n 1 -t 10s > news & sub=$!
        zswift pub localhost:5557 -d news -i 100ms -n 100 -t 10s &
        wait $sub || fail "sub: status $?"
        [ "$(cat news)" = news ] || fail "news: $(cat news)"
        waitfor captured '^">" "news"$'
        """#,
    "A balanced service with workers that come and go": #"""
        { @1
        } 2> broker.err
        @2
        @3
        waitfor broker.err ' joined' 2
        { @4
        } > answers || fail "req: status $?"
        [ "$(wc -l < answers)" = 20 ] && [ "$(grep -c '^fast:job ' answers)" -ge 15 ] || fail "answers: $(cat answers)"
        @5
        waitfor broker.err 'forgotten'
        @6
        waitfor broker.err ' joined' 3
        zswift req localhost:5559 -d again -t 5s > again || fail "again: status $?"
        grep -q '^\(fast\|new\):again$' again || fail "again: $(cat again)"
        """#,
    "A Majordomo service": #"""
        { @1
        } 2> broker.err
        @2
        waitfor broker.err 'joined service echo'
        { @3
        } > got || fail "client: status $?"
        [ "$(cat got)" = "A:hello" ] || fail "got: $(cat got)"
        { @4
        } > mmi || fail "mmi: status $?"
        [ "$(cat mmi | tr '\n' ' ')" = "200 404 " ] || fail "mmi: $(cat mmi)"
        """#,
    "Asynchronous requests and addressed replies": #"""
        { @1
        } > routed; router=$!
        { @2
        } || fail "dealer: status $?"
        wait $router || fail "router: status $?"
        [ "$(cat routed)" = "$(printf '616c696365\thello')" ] || fail "routed: $(cat routed)"
        { @3
        } &
        printf '\thi\n' | zswift dealer localhost:5555 -n 1 -t 5s > upper || fail "dealer to jq: status $?"
        [ "$(cat upper)" = "$(printf '\tHI')" ] || fail "upper: $(cat upper)"
        """#,
    "Record and replay": #"""
        for i in $(seq 100); do printf '["%s\\t%s",{"base64":"/w=="},""]\n' "$i" "$i"; done > sent.json
        zswift pub :5556 --in json --wait-subscribers 1 < sent.json & pub=$!
        { @1
        } || fail "recording: status $?"
        wait $pub || fail "pub: status $?"
        zswift sub localhost:5556 -n 100 --out json -t 10s > replayed & sub=$!
        { @2
        } || fail "replaying: status $?"
        wait $sub || fail "sub: status $?"
        cmp sent.json replayed || fail "replayed: $(head -3 replayed)"
        seq 5 | sed 's/$/,x/' | zswift push localhost:5557 -S , &
        { @3
        } > firsts || fail "pull | jq: status $?"
        [ "$(tr '\n' ' ' < firsts)" = '"1" "2" "3" "4" "5" ' ] || fail "firsts: $(cat firsts)"
        """#,
    "A port picked by the system": #"""
        { @1
        } > got
        waitfor endpoint 'tcp://127.0.0.1:'
        zswift push -c "$(cat endpoint)" -d hi || fail "push: status $?"
        waitfor got '^hi$'
        """#,
    "Stop cleanly in pipelines": #"""
        zswift pub :5556 --wait-subscribers 1 -d first -i 100ms &
        { @1
        } > got || fail "status $?"
        [ "$(cat got)" = first ] || fail "got: $(cat got)"
        """#,
    "Keys and certificates": #"""
        { @1
        } > pair || fail "keygen: status $?"
        [ "$(wc -l < pair)" = 2 ] && grep -qx 'public-key: .\{40\}' pair && sed -n 2p pair | grep -qx 'secret-key: .\{40\}' || fail "pair: $(cat pair)"
        { @2
        } > wrote || fail "keygen --cert: status $?"
        [ "$(stat -c %a server.key_secret)" = 600 ] || fail "server.key_secret has mode $(stat -c %a server.key_secret)"
        { @3
        } > loaded || fail "pyzmq: status $?"
        grep -qF "(b'$(sed -n 's/^public-key: //p' wrote)', b'" loaded || fail "loaded: $(cat loaded); wrote: $(cat wrote)"
        """#,
    "What listens there?": #"""
        @1
        serving localhost:5555
        { @2
        } > block || fail "probe: status $?"
        grep -qx 'tcp://localhost:5555: a REP socket (ZMTP 3.1, NULL)' block && grep -qx '  try:         zswift req tcp://localhost:5555' block || fail "block: $(cat block)"
        { @3
        } > json
        [ "$(cat json)" = '{"endpoint":"tcp://localhost:5555","kind":"zmtp","socket_type":"REP"}
        {"endpoint":"tcp://127.0.0.1:5556","kind":"refused","socket_type":null}' ] || fail "json: $(cat json)"
        zswift probe localhost:5555 :5556 -t 1s > /dev/null; s=$?
        [ $s = 3 ] || fail "a closed port among them: status $s"
        """#,
    "How fast is it?": #"""
        { @1
        } > thr || fail "thr: status $?"
        grep -q '^thr over tcp: 20000 messages of 65536 bytes' thr && grep -q 'MB/s' thr || fail "thr: $(cat thr)"
        { @2
        } > lat || fail "lat: status $?"
        grep -q '^{"p50":[0-9.]*,"p90":[0-9.]*,"p99":[0-9.]*,"p999":[0-9.]*,"max":[0-9.]*,"mean":[0-9.]*}$' lat || fail "lat: $(cat lat)"
        { @3
        } > split; receiver=$!
        { @4
        } || fail "the sending end: status $?"
        wait $receiver || fail "the receiving end: status $?"
        grep -q '^thr over tcp: 100000 messages of 100 bytes' split || fail "split: $(cat split)"
        """#,
    "Is the service keeping up?": #"""
        @1
        serving localhost:5555
        { @2
        } > rated || fail "rated: status $?"
        grep -q '^req to tcp://localhost:5555, 4 clients at 500/s: 1000 sent, 1000 answered in' rated && grep -q 'latency (us, from the intended send time): p50' rated || fail "rated: $(cat rated)"
        { @3
        } > json || fail "json: status $?"
        grep -q '^{"messages":20000,"timeouts":0,"p99":[0-9.]*}$' json || fail "json: $(cat json)"
        """#,
    "Grasslands": #"""
        @1
        { @2
        } > got || fail "req: status $?"
        [ "$(cat got)" = "no security" ] || fail "got: $(cat got)"
        """#,
    "Strawhouse": #"""
        { @1
        } > got
        { @2
        } || fail "push: status $?"
        waitfor got '^from a listed address$'
        """#,
    "Woodhouse": #"""
        @1
        [ "$(stat -c %a users.txt)" = 600 ] || fail "users.txt has mode $(stat -c %a users.txt)"
        @2
        { @3
        } > got || fail "req: status $?"
        [ "$(cat got)" = "hello alice" ] || fail "got: $(cat got)"
        ZSWIFT_PLAIN_USER=alice:guess zswift req localhost:5555 -d hi 2> err; s=$?
        [ $s = 4 ] && grep -q -- 'check ZSWIFT_PLAIN_USER' err || fail "a wrong password: status $s; $(cat err)"
        """#,
    "Stonehouse": #"""
        { @1
        } > /dev/null || fail "keygen: status $?"
        @2
        { @3
        } > got || fail "req: status $?"
        [ "$(cat got)" = encrypted ] || fail "got: $(cat got)"
        """#,
    "Ironhouse": #"""
        zswift keygen --cert server.key > /dev/null
        { @1
        } > /dev/null || fail "keygen: status $?"
        @2
        { @3
        } > got || fail "req: status $?"
        [ "$(cat got)" = "hello $(sed -n 's/^ *public-key = "\(.*\)"$/\1/p' alice.key)" ] || fail "got: $(cat got)"
        zswift req localhost:5555 --curve-server-key @server.key -d hi -t 5s 2> err; s=$?
        [ $s = 4 ] && grep -q -- '--curve-allow' err || fail "a client not listed: status $s; $(cat err)"
        """#,
    "When the handshake fails": #"""
        zswift keygen --cert server.key > /dev/null && zswift keygen --cert alice.key > /dev/null
        zswift rep :5555 --echo --curve-server --curve-secret-key @server.key_secret &
        { @1
        } > got 2> err; s=$?
        [ $s = 4 ] && [ ! -s got ] || fail "status $s; $(cat got) $(cat err)"
        cat > want <<'EOF'
        zswift: error: handshake with tcp://localhost:5555 failed: the server closed the connection during the CURVE handshake 3 times in a row: it could not decrypt this client's HELLO (the server key given is not the server's), or it is no CURVE server, or its socket type does not go with this one
        hint: check --curve-server-key: it must be the server's public key (a zswift server prints it when it starts; keygen --cert NAME writes it to NAME)
        EOF
        cmp err want || fail "err: $(cat err)"
        """#,
]

/// Shared by every driver: a directory of its own, failure with a reason, bounded waits, and
/// the end of every process the recipe started.
let recipePrelude = #"""
    set -u
    cd "$RECIPE_DIR"
    cleanup() { trap '' TERM; kill -TERM 0 2>/dev/null; }
    fail() { echo "recipe check failed: $*" >&2; cleanup; exit 1; }
    waitfor() {  # FILE PATTERN [N]: until FILE has N lines (1) matching PATTERN
        for _ in $(seq 200); do [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0; sleep 0.05; done
        fail "$1 never showed $2${3:+ $3 times}: $(cat "$1" 2>/dev/null)"
    }
    serving() {  # ENDPOINT: until zswift probe finds a ZMTP peer there
        for _ in $(seq 200); do zswift probe "$1" -t 1s > /dev/null 2>&1 && return 0; sleep 0.05; done
        fail "nothing answered zswift probe $1"
    }

    """#

@Test func everyShellBlockInTheReadmeHasADriver() throws {
    let recipes = try readmeRecipes()
    #expect(recipes.count >= 14)
    for recipe in recipes where !notRun.contains(recipe.title) {
        #expect(recipeDrivers[recipe.title] != nil, "README block under '\(recipe.title)' has no driver in ReadmeRecipeTests")
    }
}

@Suite(.serialized) struct ReadmeRecipes {
    @Test(arguments: try readmeRecipes().filter { !notRun.contains($0.title) })
    func theRecipeRunsAsWritten(_ recipe: Recipe) throws {
        guard let driver = recipeDrivers[recipe.title] else { return }
        var script = driver.replacing("@ALL", with: recipe.text)
        for (i, command) in recipe.commands.enumerated().reversed() {  // @12 before @1
            script = script.replacing("@\(i + 1)", with: command)
        }
        let bin = String(Paths.zswift.dropLast("/zswift".count))
        let path = bin + ":" + (getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin")
        let r = try run(["bash", "-c", recipePrelude + script + "\ncleanup\n"], within: 40,
                        environment: ["PATH": path, "RECIPE_DIR": Paths.temporaryDirectory()])
        #expect(r.status == 0 || r.status == 143, "\(r)")
        #expect(!r.err.contains("recipe check failed"), "\(r)")
    }
}
