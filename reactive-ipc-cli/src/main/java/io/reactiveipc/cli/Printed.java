package io.reactiveipc.cli;

/** One line for the main thread to print: a message on stdout, or a report on stderr. */
record Printed(boolean error, String text) {

    static Printed out(String text) {
        return new Printed(false, text);
    }

    static Printed err(String text) {
        return new Printed(true, text);
    }
}
