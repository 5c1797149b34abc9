/**
 * The {@code reactive-ipc} command line: {@link io.reactiveipc.cli.IpcCli}. Everything else in this package is
 * its implementation. Never null unless documented.
 */
package io.reactiveipc.cli;
