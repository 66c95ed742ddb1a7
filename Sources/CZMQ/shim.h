// The C surface zswift uses: libzmq's public header, nothing else.
#include <zmq.h>
