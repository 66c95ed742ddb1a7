// Socket options as a plan: the flag table's socket-option rows reach every socket that should get
// them (each row is applied to a real socket and read back), in an order where --sndhwm overrides
// --hwm and -o has the last word, with zswift's own settings first; and the loop that applies a plan.
import Testing
import ZMQ
@testable import ZswiftCore

/// The bytes the last setting of the option named `name` has in `plan`, or nil.
func planned(_ name: String, in plan: SocketPlan) -> [UInt8]? {
    plan.settings.last { $0.option.name == name }?.bytes
}

/// The same as a number (from 4 or 8 bytes).
func plannedNumber(_ name: String, in plan: SocketPlan) -> Int64? {
    guard let bytes = planned(name, in: plan) else { return nil }
    return bytes.count == 4 ? Int64(bytes.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })
        : bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
}

/// What `socket` holds for `option`, read back in the option's own type, as bytes.
func readBack(_ option: AnySocketOption, from socket: Socket) throws -> [UInt8] {
    switch option.kind {
    case .int32, .boolean: withUnsafeBytes(of: try socket.get(SocketOption<Int32>(option.code, option.name))) { Array($0) }
    case .int64: withUnsafeBytes(of: try socket.get(SocketOption<Int64>(option.code, option.name))) { Array($0) }
    case .uint64: withUnsafeBytes(of: try socket.get(SocketOption<UInt64>(option.code, option.name))) { Array($0) }
    case .string, .bytes: try socket.get(SocketOption<[UInt8]>(option.code, option.name))
    }
}

// MARK: - The table's socket-option rows

@Test func everySocketOptionFlagOfTheTableIsSetOnTheSocketByItsPlan() throws {
    let rows = Flag.all.filter { $0.sets != nil }
    #expect(rows.count >= 10)
    for flag in rows {
        // a command the flag applies to, one that receives (the rows for receiving sockets need one)
        let command = try #require(flag.commands.commands.first { $0 != .broker && $0.writesOutput })
        let words = [command.rawValue, "--\(flag.long)"] + (flag.takesValue ? [Parser.example(for: flag)] : []) + ["-b", "inproc://plan"]
        let plan = try Invocation(rawArguments(words)).socketPlan(binding: false)
        let fromFlag = plan.settings.filter { $0.source == .flag && $0.spelled.hasPrefix("--\(flag.long)") }
        #expect(fromFlag.map(\.option.name) == flag.sets!.options.map(\.name), "\(words)")
        let socket = try Socket(Context(), type: command.socketType!)
        defer { socket.close() }
        try plan.apply(to: socket)
        for setting in fromFlag {
            #expect(try readBack(setting.option, from: socket) == setting.bytes, "\(words): \(setting.option.name)")
        }
    }
}

@Test func socketFlagsReachTheSocketSettings() throws {
    let inv = try invocation("sub", "-s", "a", "-s", "", "--conflate", "--immediate", "--identity", "me",
                             "--reconnect-ivl", "250ms", "--heartbeat", "1s", "--max-msg-size", "64k",
                             "-o", "ZMQ_SNDBUF=1024", ":5555")
    let plan = inv.socketPlan(binding: false)
    #expect(inv.socket.subscriptions == [bytes("a"), []])
    #expect(inv.socket.conflate && plannedNumber("immediate", in: plan) == 1)
    #expect(inv.socket.identity == bytes("me") && planned("routing_id", in: plan) == bytes("me"))
    #expect(plannedNumber("reconnect_ivl", in: plan) == 250)
    #expect(plannedNumber("heartbeat_ivl", in: plan) == 1000 && plannedNumber("heartbeat_timeout", in: plan) == 3000
            && plannedNumber("heartbeat_ttl", in: plan) == 3000)
    #expect(inv.socket.maxMessageSize == 65536 && plannedNumber("maxmsgsize", in: plan) == 65536)
    #expect(inv.socket.custom.count == 1 && plannedNumber("sndbuf", in: plan) == 1024)
}

@Test func hwmSetsBothDirectionsAndSndhwmRcvhwmOverrideOneWhereverTheyAreGiven() throws {
    let both = try invocation("pull", "--hwm", "10", ":5555").socketPlan(binding: true)
    #expect(plannedNumber("sndhwm", in: both) == 10 && plannedNumber("rcvhwm", in: both) == 10)
    for words in [["--hwm", "10", "--rcvhwm", "3"], ["--rcvhwm", "3", "--hwm", "10"]] {
        let one = try Invocation(rawArguments(["pull"] + words + [":5555"])).socketPlan(binding: true)
        #expect(plannedNumber("sndhwm", in: one) == 10 && plannedNumber("rcvhwm", in: one) == 3, "\(words)")
    }
}

@Test func aFlagGivenTwiceSetsItsLastValue() throws {
    let plan = try invocation("push", "--sndhwm", "5", "--sndhwm", "7", ":5555").socketPlan(binding: true)
    #expect(plan.settings.filter { $0.option.name == "sndhwm" }.count == 1)
    #expect(plannedNumber("sndhwm", in: plan) == 7)
}

@Test func minusOHasTheLastWordOverAFlagForTheSameOption() throws {
    let plan = try invocation("push", "-o", "sndhwm=5", "--sndhwm", "7", ":5555").socketPlan(binding: true)
    #expect(plan.settings.last?.source == .sockopt && plannedNumber("sndhwm", in: plan) == 5)
}

@Test func maxMsgSizeReachesOnlyTheSocketsOfCommandsThatReceive() throws {
    let push = try invocation("push", "--max-msg-size", "1k", ":5555")
    #expect(push.socket.maxMessageSize == 1024 && planned("maxmsgsize", in: push.socketPlan(binding: true)) == nil)
    let pull = try invocation("pull", "--max-msg-size", "1k", ":5555")
    #expect(plannedNumber("maxmsgsize", in: pull.socketPlan(binding: true)) == 1024)
}

// MARK: - zswift's own settings

@Test func aBoundSocketRefusesOldProtocolPeersUnlessLegacyZmtpAndRouterIsMandatoryFirst() throws {
    let router = try invocation("router", ":5555").socketPlan(binding: true)
    #expect(router.settings.prefix(2).map(\.option.name) == ["zap_domain", "router_mandatory"])
    #expect(router.settings.allSatisfy { $0.source == .zswift })
    #expect(planned("zap_domain", in: try invocation("router", ":5555").socketPlan(binding: false)) == nil)
    #expect(planned("zap_domain", in: try invocation("pull", "--legacy-zmtp", ":5555").socketPlan(binding: true)) == nil)
    // the broker's ROUTER frontend relays replies to clients that may have gone: not mandatory
    let broker = try invocation("broker", ":5555", ":5556").socketPlan(binding: true)
    #expect(planned("router_mandatory", in: broker) == nil)
}

@Test func aReqConnectingToSeveralServersAndAnIPv6EndpointImplyTheirOptions() throws {
    let req = try invocation("req", "-c", ":1", "-c", ":2", "-c", "tcp://[::1]:3").socketPlan(binding: false)
    #expect(req.settings.filter { $0.source == .zswift }.map(\.option.name) == ["ipv6", "immediate"])
    let once = try invocation("req", "--ipv6", "--immediate", "-c", ":1", "-c", "tcp://[::1]:3").socketPlan(binding: false)
    #expect(once.settings.filter { ["ipv6", "immediate"].contains($0.option.name) }.count == 2)
    #expect(try invocation("req", "-c", ":1").socketPlan(binding: false).settings.isEmpty)
}

@Test func subSubscribesToEverythingWithoutSubscribeAndXsubSendsItsSubscriptions() throws {
    let all = try invocation("sub", ":5555").socketPlan(binding: false)
    #expect(all.settings.map(\.option.name) == ["subscribe"] && planned("subscribe", in: all) == [])
    let some = try invocation("sub", "-s", "a", "-s", "b", ":5555").socketPlan(binding: false)
    #expect(some.settings.map(\.bytes) == [bytes("a"), bytes("b")])
    let xsub = try invocation("xsub", "-s", "a", ":5555").socketPlan(binding: false)
    #expect(xsub.settings.isEmpty && xsub.subscriptionMessages == [[1] + bytes("a")])
}

// MARK: - Applying a plan

@Test func anOptionLibzmqRefusesAtSetUpAnywayIsAUsageErrorNamingOptionValueAndSocketType() throws {
    // a setting Invocation would have refused, to stand for one the table did not foresee
    let subscribe = try SocketOptionSetting.parse(ArgumentValue("subscribe=x"))
    let socket = try Socket(Context(), type: .pull)
    defer { socket.close() }
    let error = #expect(throws: Exit.self) { try SocketPlan(settings: [subscribe]).apply(to: socket) }
    guard case let .failed(status, message, hint)? = error else { Issue.record("\(String(describing: error))"); return }
    #expect(status == .usage)
    #expect(message == "-o subscribe=x: libzmq refuses this option on a PULL socket")
    #expect(hint?.contains("ZMQ_SUBSCRIBE") == true)
}

@Test func aRefusalOfAFlagIsAUsageErrorNamingTheFlagAndOneOfZswiftsOwnIsNot() {
    let flag = SocketOptionSetting(option: AnySocketOption(SocketOption.subscribe), bytes: [], source: .flag, spelled: "--x 1")
    guard case let .failed(status, message, _) = flag.failure(.invalidArgument, on: .pull) else { Issue.record("not a failure"); return }
    #expect(status == .usage && message == "--x 1: libzmq refuses this option on a PULL socket")
    let own = SocketOptionSetting.zswift(.routerMandatory, true)
    guard case let .failed(ownStatus, ownMessage, _) = own.failure(.invalidArgument, on: .pull) else { Issue.record("not a failure"); return }
    #expect(ownStatus != .usage && ownMessage.hasPrefix("cannot set up the socket: "))
}
