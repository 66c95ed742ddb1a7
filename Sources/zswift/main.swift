// zswift: forwards argv to ZswiftCore and exits with its status.
import ZswiftCore
import Glibc

StandardIO.reserveStandardDescriptors()
exit(Zswift.run(Zswift.processArguments))
