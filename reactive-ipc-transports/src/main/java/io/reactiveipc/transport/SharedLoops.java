package io.reactiveipc.transport;

import reactor.netty.resources.LoopResources;

/** One set of daemon event loops per kind for the whole JVM, created on first use. */
final class SharedLoops {

    private SharedLoops() {
    }

    static LoopResources get(boolean nativeTransport) {
        return nativeTransport ? Native.LOOPS : Nio.LOOPS;
    }

    private static final class Native {
        static final LoopResources LOOPS = LoopResources.create("reactive-ipc-epoll",
                Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    }

    private static final class Nio {
        static final LoopResources LOOPS = LoopResources.create("reactive-ipc-nio",
                Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    }
}
