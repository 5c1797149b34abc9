package io.reactiveipc.test;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets test logging write to the console from event loops, and Netty 4.2's adaptive allocator take its own short
 * lock; everything else stays checked. Found by {@link java.util.ServiceLoader} when BlockHound installs.
 */
public final class TestBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("org.slf4j.simple.SimpleLogger", "write");
        // When its magazines are contended, the allocator adds one and frees the spare under a StampedLock held
        // for a few instructions; under load the waiter parks. Netty's own BlockHound integration (4.2.18) does not
        // list it, and a read that allocates its buffer there failed with BlockingOperationError: an error on a
        // read closes a datagram channel (UdpDemoTest's socket closed after one datagram) and any socket.
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
    }
}
