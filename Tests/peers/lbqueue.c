/* A least-recently-used broker in C, the ceiling for broker --mode lb in scripts/lb-figures.sh:
 * the zguide's lbbroker with Paranoid Pirate workers (ppqueue without heartbeats or expiry).
 * A ROUTER frontend (argv[1], binds) takes REQ/DEALER clients; a ROUTER backend (argv[2], binds)
 * takes workers that send READY (0x01) first. Each request goes to the worker idle longest; while
 * none is idle the frontend is not read, so requests wait in libzmq's queues. A one-byte message
 * from a worker (READY or HEARTBEAT) marks it idle or is ignored; anything else is a reply.
 * Build: cc -O2 -o lbqueue Tests/peers/lbqueue.c -lzmq */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define MAX_WORKERS 256
#define MAX_PARTS 64

static unsigned char ids[MAX_WORKERS][256];
static size_t lens[MAX_WORKERS];
static int head, count;

static int idle(const void *id, size_t len) {
    if (count == MAX_WORKERS || len > 255) return 0;
    int tail = (head + count) % MAX_WORKERS;
    memcpy(ids[tail], id, len);
    lens[tail] = len;
    count++;
    return 1;
}

static int receive(void *s, zmq_msg_t *parts) {
    int n = 0, more = 1;
    while (more) {
        if (n == MAX_PARTS) return -1;
        zmq_msg_init(&parts[n]);
        if (zmq_msg_recv(&parts[n], s, 0) < 0) return -1;
        more = zmq_msg_more(&parts[n]);
        n++;
    }
    return n;
}

static void forward(void *s, zmq_msg_t *parts, int from, int n) {
    for (int i = from; i < n; i++) zmq_msg_send(&parts[i], s, i < n - 1 ? ZMQ_SNDMORE : 0);
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: lbqueue FRONTEND BACKEND\n"); return 2; }
    void *ctx = zmq_ctx_new();
    void *front = zmq_socket(ctx, ZMQ_ROUTER), *back = zmq_socket(ctx, ZMQ_ROUTER);
    if (zmq_bind(front, argv[1]) != 0 || zmq_bind(back, argv[2]) != 0) { perror("bind"); return 1; }
    zmq_pollitem_t items[2] = { { back, 0, ZMQ_POLLIN, 0 }, { front, 0, ZMQ_POLLIN, 0 } };
    zmq_msg_t parts[MAX_PARTS];
    for (;;) {
        items[1].revents = 0;
        if (zmq_poll(items, count > 0 ? 2 : 1, -1) < 0) break;
        if (items[0].revents & ZMQ_POLLIN) {
            int n = receive(back, parts);
            if (n < 2) return 1;
            int added = idle(zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0]));
            if (n == 2 && zmq_msg_size(&parts[1]) == 1) {
                if (added && *(char *)zmq_msg_data(&parts[1]) != 1) count--;   /* a heartbeat: not a new turn */
                for (int i = 0; i < n; i++) zmq_msg_close(&parts[i]);
            } else {
                zmq_msg_close(&parts[0]);
                forward(front, parts, 1, n);
            }
        }
        if (count > 0 && (items[1].revents & ZMQ_POLLIN)) {
            int n = receive(front, parts);
            if (n < 1) return 1;
            zmq_msg_t id;
            zmq_msg_init_size(&id, lens[head]);
            memcpy(zmq_msg_data(&id), ids[head], lens[head]);
            head = (head + 1) % MAX_WORKERS;
            count--;
            zmq_msg_send(&id, back, ZMQ_SNDMORE);
            forward(back, parts, 0, n);
        }
    }
    return 0;
}
