package io.swarmkeeper.settings;

/**
 * The one wording of a refused setting that names where its value came from, for the command
 * line (through picocli) and the settings file alike: {@code --quota must be …} from a file
 * becomes {@code --quota (from configuration file F, key seed.quota) must be …}.
 */
public final class SettingMessages {
    private SettingMessages() {}

    /** Picocli's wording for a value that does not convert, e.g. {@code 'lots' is not a size}. */
    public static String invalidValue(String option, String why) {
        return "Invalid value for option '" + option + "': " + why;
    }

    /**
     * {@code message} about {@code option}, with "(from {@code source})" where a reader looks
     * for it: after picocli's "Invalid value for option '--x'", after "--x VALUE" when the message
     * names the value before a colon, else after the option's name; at the end when the message
     * does not start with the option.
     */
    public static String withSource(String option, String message, String source) {
        String from = "(from " + source + ")";
        String msg = message == null ? "" : message;
        String picocli = "Invalid value for option '" + option + "'";
        if (msg.startsWith(picocli)) {
            return picocli + " " + from + msg.substring(picocli.length());
        }
        if (msg.startsWith(option)) {
            // "--ice-server VALUE: why" → "--ice-server VALUE (from …): why"; "--quota must be …" → "--quota (from …) must be …"
            int colon = msg.indexOf(": ", option.length());
            boolean value = colon >= 0 && !msg.substring(option.length(), colon).strip().matches(".*\\s.*");
            int at = value ? colon : option.length();
            return msg.substring(0, at) + " " + from + msg.substring(at);
        }
        return msg + " (" + option + " " + from + ")";
    }

    /** Where a value in the settings file came from: {@code configuration file PATH, key KEY}. */
    public static String fileSource(java.nio.file.Path file, String key) {
        return "configuration file " + file + ", key " + key;
    }
}
