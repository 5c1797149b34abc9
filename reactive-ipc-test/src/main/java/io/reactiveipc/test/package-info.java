/**
 * For tests of code that uses Reactive IPC (add {@code reactive-ipc-test} with test scope): addresses on short
 * temporary socket paths and free ports, a buffer-leak check, and BlockHound installed in the test JVM.
 *
 * <p>JVM flags the checks need (Maven Surefire {@code argLine}):
 * {@code -XX:+AllowRedefinitionToAddDeleteMethods} (BlockHound on JDK 13+),
 * {@code -Dio.netty.leakDetection.level=paranoid} and
 * {@code -Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder} (the leak check), and the
 * JUnit configuration parameter {@code junit.jupiter.extensions.autodetection.enabled=true} to apply
 * {@link io.reactiveipc.test.LeakCheck} to every test class.
 */
@NullMarked
package io.reactiveipc.test;

import org.jspecify.annotations.NullMarked;
