/**
 * For tests of code that uses Reactive IPC (add {@code reactive-ipc-test} with test scope): addresses on short
 * temporary socket paths and free ports, an in-JVM transport, StepVerifier and AssertJ helpers, and two checks a
 * test opts into. Adding the module changes nothing in a project's other tests.
 *
 * <ul>
 *   <li>{@link io.reactiveipc.test.BlockHoundCheck}: installs BlockHound, so a blocking call on an event loop
 *       fails the test; needs {@code -XX:+AllowRedefinitionToAddDeleteMethods} on JDK 13+.</li>
 *   <li>{@link io.reactiveipc.test.LeakCheck}: fails a class that leaked a Netty buffer; needs
 *       {@code -Dio.netty.leakDetection.level=paranoid} and
 *       {@code -Dio.netty.customResourceLeakDetector=io.reactiveipc.test.LeakRecorder}.</li>
 * </ul>
 *
 * <p>Either one, missing its flag, fails the class with a message naming the flag. Opt in with
 * {@code @ExtendWith({BlockHoundCheck.class, LeakCheck.class})} on a class, or for every class: list both in
 * {@code src/test/resources/META-INF/services/org.junit.jupiter.api.extension.Extension} and set the JUnit
 * configuration parameter {@code junit.jupiter.extensions.autodetection.enabled=true} (this project's own build
 * does; its root {@code pom.xml} shows the Surefire setup).
 */
@NullMarked
package io.reactiveipc.test;

import org.jspecify.annotations.NullMarked;
