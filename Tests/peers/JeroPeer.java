// A JeroMQ peer for zswift's black-box tests: an independent ZMTP/2.0 implementation (Debian's
// libjeromq-java 0.3), to check that zswift talks to peers that are not libzmq.
// scripts/build-peers.sh compiles it into .build/peers; it is never committed compiled.
//
//     java -cp .build/peers:/usr/share/java/jeromq.jar JeroPeer TYPE bind|connect ENDPOINT [options]
//
// TYPE is push, pull, req or rep (any JeroMQ socket type works). Messages on stdin and stdout are
// JSON Lines, each an array of frames in hex, as with peer.py. With -v the bound endpoint is
// reported on stderr as "bound to ENDPOINT" (a tcp port of * is resolved). Exit status 3 and
// "peer: timeout" on stderr when --timeout runs out.
//
//   --send         send every message read from stdin; a req waits for each reply and prints it
//   --count N      receive N messages and print them
//   --echo         (rep) send every message back, --count times or for ever; then wait for
//                  the end of stdin before closing
//   --timeout S    give up receiving after S seconds of silence (default 10)
//   --linger MS    linger at close (default: wait for delivery)
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.zeromq.ZMQ;

public final class JeroPeer {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: JeroPeer TYPE bind|connect ENDPOINT [--send] [--count N] [--echo] [--timeout S] [--linger MS] [-v]");
            System.exit(2);
        }
        String type = args[0], mode = args[1], endpoint = args[2];
        boolean send = false, echo = false, verbose = false;
        int count = 0, timeoutMs = 10_000;
        long linger = -1;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--send": send = true; break;
                case "--echo": echo = true; break;
                case "-v": verbose = true; break;
                case "--count": count = Integer.parseInt(args[++i]); break;
                case "--timeout": timeoutMs = (int) (Double.parseDouble(args[++i]) * 1000); break;
                case "--linger": linger = Long.parseLong(args[++i]); break;
                default: System.err.println("JeroPeer: unknown option " + args[i]); System.exit(2);
            }
        }

        ZMQ.Context context = ZMQ.context(1);
        ZMQ.Socket socket = context.socket(socketType(type));
        socket.setLinger(linger);
        socket.setReceiveTimeOut(timeoutMs);
        if (mode.equals("bind")) {
            String bound = endpoint;
            if (endpoint.endsWith(":*")) {
                String host = endpoint.substring(0, endpoint.length() - 2);
                bound = host + ":" + socket.bindToRandomPort(host);
            } else {
                socket.bind(endpoint);
            }
            if (verbose) say("bound to " + bound);
        } else {
            socket.connect(endpoint);
        }

        if (send) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String line; (line = in.readLine()) != null; ) {
                if (line.trim().isEmpty()) continue;
                sendMessage(socket, parse(line));
                if (type.equals("req")) show(receive(socket));
            }
            // JeroMQ 0.3 can lose the last message when the process ends right after close (seen
            // under load, as with --echo's last reply): give its I/O thread a moment to write it
            if (!type.equals("req")) Thread.sleep(300);
        }
        if (echo) {
            for (int n = 0; count == 0 || n < count; n++) sendMessage(socket, receive(socket));
            // JeroMQ 0.3 can lose the last reply when the process ends right after close (seen
            // under load): stay until the test, having seen every reply, closes our stdin
            while (System.in.read() != -1) { }
        } else if (count > 0 && !type.equals("req")) {
            for (int n = 0; n < count; n++) show(receive(socket));
        }
        socket.close();
        context.term();
    }

    static int socketType(String name) {
        switch (name) {
            case "push": return ZMQ.PUSH;
            case "pull": return ZMQ.PULL;
            case "req": return ZMQ.REQ;
            case "rep": return ZMQ.REP;
            case "pair": return ZMQ.PAIR;
            case "dealer": return ZMQ.DEALER;
            case "router": return ZMQ.ROUTER;
            case "pub": return ZMQ.PUB;
            case "sub": return ZMQ.SUB;
            default: throw new IllegalArgumentException("unknown socket type " + name);
        }
    }

    static List<byte[]> receive(ZMQ.Socket socket) {
        List<byte[]> frames = new ArrayList<>();
        do {
            byte[] frame = socket.recv(0);
            if (frame == null) {
                say("peer: timeout");
                System.exit(3);
            }
            frames.add(frame);
        } while (socket.hasReceiveMore());
        return frames;
    }

    static void sendMessage(ZMQ.Socket socket, List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            socket.send(frames.get(i), i < frames.size() - 1 ? ZMQ.SNDMORE : 0);
        }
    }

    /** The frames of a JSON-hex line: every quoted string is one frame in hex. */
    static List<byte[]> parse(String line) {
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        while ((at = line.indexOf('"', at)) >= 0) {
            int end = line.indexOf('"', at + 1);
            String hex = line.substring(at + 1, end);
            byte[] frame = new byte[hex.length() / 2];
            for (int i = 0; i < frame.length; i++) frame[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
            frames.add(frame);
            at = end + 1;
        }
        return frames;
    }

    static void show(List<byte[]> frames) {
        StringBuilder line = new StringBuilder("[");
        for (int i = 0; i < frames.size(); i++) {
            if (i > 0) line.append(',');
            line.append('"');
            for (byte b : frames.get(i)) line.append(String.format("%02x", b & 0xff));
            line.append('"');
        }
        System.out.println(line.append(']'));
        System.out.flush();
    }

    static void say(String text) {
        System.err.println(text);
        System.err.flush();
    }
}
