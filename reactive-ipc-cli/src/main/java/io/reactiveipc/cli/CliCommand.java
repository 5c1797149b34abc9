package io.reactiveipc.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every subcommand has: ADDRESS first, the shared options, the top command (stdin, what to close), out/err. */
abstract class CliCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ADDRESS", description = Addresses.FORMS)
    String address;

    @Mixin
    IpcOptions options;

    @ParentCommand
    IpcCli cli;

    @Spec
    CommandSpec spec;
}
