/**
 * Runnable examples: node-ipc's hello/world over a Unix socket and TCP, ipcio's queue, database request and deliver
 * demos, and a chat between clients.
 */
@NullMarked
package io.reactiveipc.examples;

import org.jspecify.annotations.NullMarked;
