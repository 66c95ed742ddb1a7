/* A Paranoid Pirate echo worker in C, for scripts/lb-figures.sh: the fastest worker broker
 * --mode lb can be measured with (a Python worker is slower than the broker). It connects a DEALER
 * to argv[1], sends READY (0x01), answers the broker's heartbeats' schedule with its own
 * HEARTBEAT (0x02) every second when idle, and sends every request back as it came.
 * Build: cc -O2 -o ppecho Tests/peers/ppecho.c -lzmq */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: ppecho ENDPOINT\n"); return 2; }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(s, argv[1]) != 0) { perror("connect"); return 1; }
    zmq_send(s, "\x01", 1, 0);
    zmq_pollitem_t item = { s, 0, ZMQ_POLLIN, 0 };
    zmq_msg_t parts[64];
    for (;;) {
        int ready = zmq_poll(&item, 1, 1000);
        if (ready < 0) break;
        if (ready == 0) { zmq_send(s, "\x02", 1, 0); continue; }
        int n = 0, more = 1;
        while (more && n < 64) {
            zmq_msg_init(&parts[n]);
            if (zmq_msg_recv(&parts[n], s, 0) < 0) return 1;
            more = zmq_msg_more(&parts[n]);
            n++;
        }
        if (n == 1 && zmq_msg_size(&parts[0]) == 1) { zmq_msg_close(&parts[0]); continue; }  /* heartbeat */
        for (int i = 0; i < n; i++) zmq_msg_send(&parts[i], s, i < n - 1 ? ZMQ_SNDMORE : 0);
    }
    return 0;
}
