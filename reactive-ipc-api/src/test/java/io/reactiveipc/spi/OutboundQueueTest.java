package io.reactiveipc.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.reactiveipc.IpcClosedException;
import io.reactiveipc.IpcDataException;
import io.reactiveipc.IpcOverflowException;
import io.reactiveipc.Message;
import io.reactiveipc.internal.Envelope;
import io.reactiveipc.internal.MessageAccess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class OutboundQueueTest {

    final List<String> owner = new ArrayList<>();
    final OutboundQueue.Owner recorder = new OutboundQueue.Owner() {
        @Override
        public void outboundCompleted() {
            owner.add("completed");
        }

        @Override
        public void outboundErrored(Throwable error) {
            owner.add("errored " + error.getMessage());
        }

        @Override
        public void dropped(Message message, Throwable why) {
            owner.add("dropped " + message.type());
        }
    };
    final OutboundQueue q = new OutboundQueue(4, recorder);

    static int n(OutboundQueue.Entry entry) {
        return entry.message().data(Integer.class);
    }

    @Test
    void unwrittenEntriesOfADeadLinkGoFirstInTheirOrder() {
        for (int i = 0; i < 4; i++) {
            q.tryEmitNext(Message.of("n", i));
        }
        OutboundQueue.Entry e0 = q.poll();
        OutboundQueue.Entry e1 = q.poll();
        OutboundQueue.Entry e2 = q.poll();
        OutboundQueue.written(e0); // e0 reached the kernel; e1 and e2 did not before the socket died
        q.returnUnwritten(List.of(e1, e2));
        assertThat(q.size()).isEqualTo(3);
        List<Integer> order = new ArrayList<>();
        OutboundQueue.Entry e;
        while ((e = q.poll()) != null) {
            order.add(n(e));
        }
        assertThat(order).containsExactly(1, 2, 3);
    }

    @Test
    void fullMeansRefusedAndNothingQueuedIsDropped() {
        for (int i = 0; i < 4; i++) {
            assertThat(q.tryEmitNext(Message.of("n", i))).isEqualTo(Sinks.EmitResult.OK);
        }
        assertThat(q.tryEmitNext(Message.of("n", 4))).isEqualTo(Sinks.EmitResult.FAIL_OVERFLOW);
        StepVerifier.create(q.send(Message.of("n", 5))).verifyError(IpcOverflowException.class);
        assertThat(q.scan(reactor.core.Scannable.Attr.BUFFERED)).isEqualTo(4);
        assertThat(n(q.poll())).isZero();
        assertThat(q.tryEmitNext(Message.of("n", 6))).isEqualTo(Sinks.EmitResult.OK);
    }

    @Test
    void sendCompletesWhenTheWriterReportsItWrittenAndFailsWhenItCannotBe() {
        Mono<Void> ok = q.send(Message.of("ok")).cache();
        ok.subscribe();
        OutboundQueue.Entry entry = q.poll();
        StepVerifier.create(ok).then(() -> OutboundQueue.written(entry)).verifyComplete();

        Mono<Void> bad = q.send(Message.of("bad")).cache();
        bad.subscribe(null, err -> { });
        q.failed(q.poll(), new IllegalStateException("cannot encode"));
        StepVerifier.create(bad).verifyErrorMessage("cannot encode");

        q.tryEmitNext(Message.of("fire-and-forget"));
        q.failed(q.poll(), new IllegalStateException("cannot encode"));
        assertThat(owner).containsExactly("dropped fire-and-forget");
    }

    @Test
    void terminateFailsWhatIsLeftAndEverythingAfter() {
        Mono<Void> waiting = q.send(Message.of("w")).cache();
        waiting.subscribe(null, e -> { });
        q.terminate(new IpcClosedException("closed"));
        StepVerifier.create(waiting).verifyError(IpcClosedException.class);
        assertThat(q.tryEmitNext(Message.of("late"))).isEqualTo(Sinks.EmitResult.FAIL_TERMINATED);
        StepVerifier.create(q.send(Message.of("late"))).verifyError(IpcClosedException.class);
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void completeAndErrorAreForwardedToTheConnection() {
        assertThat(q.tryEmitComplete()).isEqualTo(Sinks.EmitResult.OK);
        assertThat(q.isCompleting()).isTrue();
        assertThat(q.tryEmitNext(Message.of("after"))).isEqualTo(Sinks.EmitResult.FAIL_TERMINATED);
        q.tryEmitError(new IllegalStateException("abort"));
        assertThat(owner).containsExactly("errored abort");
    }

    @Test
    void aSharedEntryFinishesOnceEveryQueueWroteSkippedOrRefusedIt() {
        int[] finished = {0};
        OutboundQueue writes = new OutboundQueue(4, recorder);
        OutboundQueue closes = new OutboundQueue(4, recorder);
        OutboundQueue full = q;
        for (int i = 0; i < 4; i++) {
            full.tryEmitNext(Message.of("n", i));
        }
        OutboundQueue.Shared shared = new OutboundQueue.Shared(Message.of("news"), 3 + 1, () -> finished[0]++);
        writes.offerShared(shared);
        closes.offerShared(shared);
        full.offerShared(shared); // refused: reported as dropped, counted as done
        shared.done();            // the broadcaster has handed it to everyone
        assertThat(owner).containsExactly("dropped news");
        assertThat(finished[0]).isZero();
        closes.terminate(new IpcClosedException("closed")); // skipped by a connection that closed
        assertThat(finished[0]).isZero();
        OutboundQueue.Entry entry = writes.poll();
        assertThat(entry.message().type()).isEqualTo("news");
        OutboundQueue.written(entry);
        assertThat(finished[0]).isEqualTo(1);
    }

    @Test
    void asFluxShowsWhatIsQueuedWhileSubscribedAndCompletesOnClose() {
        roomy.tryEmitNext(Message.of("before")); // nobody looked yet: not kept for later subscribers
        assertThat(roomy.currentSubscriberCount()).isZero();
        StepVerifier.create(roomy.asFlux().map(Message::type))
                .then(() -> assertThat(roomy.currentSubscriberCount()).isEqualTo(1))
                .then(() -> {
                    roomy.tryEmitNext(Message.of("plain"));
                    roomy.send(Message.of("sent")).subscribe();
                    roomy.sendAll(Flux.just(Message.of("streamed"))).subscribe();
                    roomy.offerShared(new OutboundQueue.Shared(Message.of("shared"), 2, () -> { }));
                    roomy.offerFirst(Message.of("hello"));
                })
                .expectNext("plain", "sent", "streamed", "shared", "hello")
                .then(() -> assertThat(drain(roomy)).as("shown, not taken: the connection still writes them")
                        .containsExactly("hello", "before", "plain", "sent", "streamed", "shared"))
                .then(() -> roomy.terminate(new IpcClosedException("closed")))
                .verifyComplete();
    }

    @Test
    void asFluxDropsForASubscriberWithoutDemandAndNeverHoldsTheQueueBack() {
        List<String> shown = new ArrayList<>();
        reactor.core.publisher.BaseSubscriber<Message> one = new reactor.core.publisher.BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(org.reactivestreams.Subscription s) {
                s.request(1);
            }

            @Override
            protected void hookOnNext(Message m) {
                shown.add(m.type());
            }
        };
        q.asFlux().subscribe(one);
        assertThat(q.tryEmitNext(Message.of("a"))).isEqualTo(Sinks.EmitResult.OK);
        assertThat(q.tryEmitNext(Message.of("b"))).isEqualTo(Sinks.EmitResult.OK); // no demand: not shown
        one.request(1);
        assertThat(q.tryEmitNext(Message.of("c"))).isEqualTo(Sinks.EmitResult.OK);
        one.dispose();
        assertThat(shown).containsExactly("a", "c");
        assertThat(drain(q)).containsExactly("a", "b", "c");
    }

    @Test
    void asFluxAfterCloseCompletesAtOnce() {
        q.terminate(new IpcClosedException("closed"));
        StepVerifier.create(q.asFlux()).verifyComplete();
    }

    @Test
    void concurrentProducersNeitherLoseNorDuplicate() throws InterruptedException {
        OutboundQueue big = new OutboundQueue(1_000_000, recorder);
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    big.tryEmitNext(Message.of("n", base + i)).orThrow();
                }
            });
        }
        boolean[] seen = new boolean[threads * each];
        int count = 0;
        go.countDown();
        pool.shutdown();
        while (count < seen.length) {
            OutboundQueue.Entry e = big.poll();
            if (e != null) {
                int v = n(e);
                assertThat(seen[v]).as("duplicate %d", v).isFalse();
                seen[v] = true;
                count++;
            }
        }
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(big.poll()).isNull();
    }

    // ---- sendAll: a stream without a Mono per message --------------------------------------------------------

    final OutboundQueue roomy = new OutboundQueue(10_000, recorder);

    /** Writes what is queued, as a link would, and returns the numbers written. */
    static List<Integer> writeAll(OutboundQueue queue) {
        List<Integer> written = new ArrayList<>();
        OutboundQueue.Entry e;
        while ((e = queue.poll()) != null) {
            written.add(n(e));
            OutboundQueue.written(e);
        }
        return written;
    }

    @Test
    void aStreamKeepsAWindowQueuedAndCompletesWhenItsLastMessageWasWritten() {
        List<Long> requests = new ArrayList<>();
        Mono<Void> sent = roomy.sendAll(Flux.range(0, 1000).doOnRequest(requests::add).map(i -> Message.of("n", i)));
        StepVerifier.create(sent).expectSubscription().then(() -> {
            assertThat(roomy.size()).as("never more than the window").isEqualTo(OutboundQueue.STREAM_WINDOW);
        }).then(() -> {
            List<Integer> all = new ArrayList<>();
            OutboundQueue.Entry e;
            while ((e = roomy.poll()) != null) {
                assertThat(roomy.size()).isLessThan(OutboundQueue.STREAM_WINDOW);
                all.add(n(e));
                OutboundQueue.written(e); // requests more, which are queued at once
            }
            assertThat(all).isEqualTo(IntStream.range(0, 1000).boxed().toList());
        }).verifyComplete();
        assertThat(requests.get(0)).isEqualTo(OutboundQueue.STREAM_WINDOW);
        assertThat(requests).allMatch(r -> r <= OutboundQueue.STREAM_WINDOW);
    }

    @Test
    void aStreamIsNotCompleteWhileItsLastMessageIsUnwritten() {
        StepVerifier.create(roomy.sendAll(Flux.range(0, 3).map(i -> Message.of("n", i))))
                .expectSubscription()
                .then(() -> {
                    OutboundQueue.Entry first = roomy.poll();
                    OutboundQueue.written(first);
                    OutboundQueue.written(roomy.poll());
                })
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> OutboundQueue.written(roomy.poll()))
                .verifyComplete();
    }

    @Test
    void anUnwritableMessageFailsTheStreamCancelsItAndWhatCameBeforeIsStillWritten() {
        AtomicBoolean cancelled = new AtomicBoolean();
        Mono<Void> sent = roomy.sendAll(Flux.range(0, 1000).doOnCancel(() -> cancelled.set(true))
                .map(i -> Message.of("n", i)));
        IpcDataException bad = new IpcDataException("cannot encode", new IllegalStateException());
        StepVerifier.create(sent)
                .expectSubscription()
                .then(() -> {
                    OutboundQueue.written(roomy.poll());
                    roomy.failed(roomy.poll(), bad);
                })
                .expectErrorSatisfies(e -> assertThat(e).isSameAs(bad))
                .verify(T);
        assertThat(cancelled).isTrue();
        assertThat(writeAll(roomy)).as("queued before the failure").startsWith(2, 3).doesNotContain(0, 1);
        assertThat(owner).as("a stream's failure is its sender's, not a dropped message").isEmpty();
    }

    @Test
    void aStreamFailsWithOverflowWhenOtherTrafficFilledTheQueue() {
        OutboundQueue small = new OutboundQueue(10, recorder);
        for (int i = 0; i < 8; i++) {
            small.tryEmitNext(Message.of("other", i));
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        StepVerifier.create(small.sendAll(Flux.range(0, 5).doOnCancel(() -> cancelled.set(true))
                        .map(i -> Message.of("n", i))))
                .verifyError(IpcOverflowException.class);
        assertThat(cancelled).isTrue();
        assertThat(small.size()).as("8 others and the 2 that fitted").isEqualTo(10);
    }

    @Test
    void aStreamFailsWithIpcClosedExceptionWhenTheConnectionCloses() {
        StepVerifier.create(roomy.sendAll(Flux.range(0, 1000).map(i -> Message.of("n", i))))
                .expectSubscription()
                .then(() -> roomy.terminate(new IpcClosedException("closed")))
                .verifyError(IpcClosedException.class);
        StepVerifier.create(roomy.sendAll(Flux.just(Message.of("late")))).verifyError(IpcClosedException.class);
    }

    @Test
    void cancellingTheSendCancelsTheStreamAndRequestsNoMore() {
        List<Long> requests = new ArrayList<>();
        AtomicBoolean cancelled = new AtomicBoolean();
        StepVerifier.create(roomy.sendAll(Flux.range(0, 1000).doOnRequest(requests::add)
                        .doOnCancel(() -> cancelled.set(true)).map(i -> Message.of("n", i))))
                .expectSubscription()
                .thenCancel()
                .verify(T);
        assertThat(cancelled).isTrue();
        writeAll(roomy);
        assertThat(requests).containsExactly((long) OutboundQueue.STREAM_WINDOW);
    }

    @Test
    void anErrorOfTheStreamIsSignalledAndWhatWasQueuedStays() {
        StepVerifier.create(roomy.sendAll(Flux.concat(Flux.just(Message.of("n", 0)),
                        Flux.error(new IllegalStateException("source broke")))))
                .verifyErrorMessage("source broke");
        assertThat(writeAll(roomy)).containsExactly(0);
    }

    @Test
    void anEmptyStreamCompletesAtOnce() {
        StepVerifier.create(roomy.sendAll(Flux.empty())).verifyComplete();
    }

    static final Duration T = Duration.ofSeconds(10);

    // ---- sync mode: the gate -----------------------------------------------------------------------------

    /** Types of what {@code queue} hands out now, each reported written. */
    static List<String> drain(OutboundQueue queue) {
        List<String> types = new ArrayList<>();
        OutboundQueue.Entry e;
        while ((e = queue.poll()) != null) {
            types.add(e.message().type());
            OutboundQueue.written(e);
        }
        return types;
    }

    @Test
    void syncHandsOutOneThatAsksAtATimeAndFramesThatAnswerOnlyFromTheHead() {
        OutboundQueue sync = new OutboundQueue(10, recorder, Duration.ofHours(1));
        int[] signals = {0};
        sync.attach(() -> signals[0]++);
        sync.tryEmitNext(Message.of("a"));
        sync.tryEmitNext(answerFrame("r1"));
        sync.tryEmitNext(Message.of("b"));
        sync.tryEmitNext(answerFrame("r2"));
        sync.offerFirst(Message.of("hello"));
        assertThat(drain(sync)).as("first put first, awaiting nothing; then one that asks, and the answer behind "
                + "it").containsExactly("hello", "a", "r1");
        assertThat(sync.isEmpty()).isFalse();
        int before = signals[0];
        assertThat(sync.answered().message().type()).isEqualTo("a");
        assertThat(signals[0]).as("the writer is woken").isEqualTo(before + 1);
        assertThat(sync.answered()).as("nothing awaits an answer any more").isNull();
        assertThat(drain(sync)).containsExactly("b", "r2");
        sync.terminate(new IpcClosedException("closed")); // no timer outlives the test
    }

    @Test
    void syncAnEntryThatCouldNotBeWrittenAwaitsNothing() {
        OutboundQueue sync = new OutboundQueue(10, recorder, Duration.ofHours(1));
        sync.tryEmitNext(Message.of("unencodable"));
        sync.tryEmitNext(Message.of("next"));
        OutboundQueue.Entry e = sync.poll();
        assertThat(sync.poll()).isNull();
        sync.failed(e, new IpcDataException("cannot encode", new IllegalStateException()));
        assertThat(drain(sync)).containsExactly("next");
        assertThat(owner).containsExactly("dropped unencodable");
        sync.terminate(new IpcClosedException("closed"));
    }

    @Test
    void withoutSyncNothingIsGatedAndAnsweredIsANoOp() {
        q.tryEmitNext(Message.of("a"));
        q.tryEmitNext(Message.of("b"));
        assertThat(q.isSync()).isFalse();
        assertThat(drain(q)).containsExactly("a", "b");
        assertThat(q.answered()).isNull();
    }

    private static Message answerFrame(String type) {
        return MessageAccess.get().withEnvelope(Message.of(type), Envelope.of(Envelope.REPLY, 1));
    }
}
