package shop.usb.pipeline.station;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import shop.usb.pipeline.content.WritePlan.PlannedFile;

/**
 * What a stick's filesystem allows of an order: FAT and exFAT refuse some characters, control
 * characters and a trailing dot or space, and do not tell names apart by case; FAT32 holds no file
 * of 4 GiB or more. A stick whose filesystem an order breaks does not fit that order; others may.
 */
public final class StickRules {

    /** FAT32 keeps a file's size in 32 bits. */
    static final long FAT32_LIMIT = 4L * 1024 * 1024 * 1024;

    private static final Set<String> FAT = Set.of("vfat", "msdos", "fat");
    private static final Set<String> EXFAT = Set.of("exfat");
    private static final String FORBIDDEN = "\\:*?\"<>|";

    private StickRules() {}

    /**
     * The filesystem types the order cannot go onto, each with the first file and rule it breaks
     * ("vfat" → "movie.mkv has 5000000000 bytes; FAT32 holds no file of 4 GiB or more").
     */
    public static Map<String, String> refusedFilesystems(String orderId, List<PlannedFile> files) {
        Map<String, String> refused = new LinkedHashMap<>();
        String names = namesBroken(orderId, files);
        for (String type : List.of("vfat", "exfat")) {
            String broken =
                    names != null ? names : type.equals("vfat") ? tooLargeForFat32(files) : null;
            if (broken != null) {
                refused.put(type, broken + " on " + (type.equals("vfat") ? "FAT" : "exFAT"));
            }
        }
        return refused;
    }

    /**
     * Whether a stick of this filesystem type is among the refused ones (FAT names count as vfat).
     */
    static boolean refuses(Set<String> refusedTypes, String fsType) {
        String type = fsType == null ? "" : fsType.toLowerCase(Locale.ROOT);
        return refusedTypes.contains(
                FAT.contains(type) ? "vfat" : EXFAT.contains(type) ? "exfat" : type);
    }

    /** The types as the job row keeps them: "vfat,exfat", or null for none. */
    public static String join(Set<String> types) {
        return types.isEmpty() ? null : String.join(",", types);
    }

    static Set<String> split(String types) {
        return types == null || types.isBlank()
                ? Set.of()
                : new LinkedHashSet<>(List.of(types.split(",")));
    }

    private static String namesBroken(String orderId, List<PlannedFile> files) {
        String folder = badName(orderId);
        if (folder != null) {
            return "the order folder '" + orderId + "' " + folder;
        }
        Map<String, String> byFoldedCase = new HashMap<>();
        for (PlannedFile file : files) {
            for (String element : file.relativePath().split("/")) {
                String bad = badName(element);
                if (bad != null) {
                    return file.relativePath() + ": '" + element + "' " + bad;
                }
            }
            String other =
                    byFoldedCase.putIfAbsent(
                            file.relativePath().toLowerCase(Locale.ROOT), file.relativePath());
            if (other != null) {
                return file.relativePath()
                        + " and "
                        + other
                        + " differ only in case, which is not told apart";
            }
        }
        return null;
    }

    private static String tooLargeForFat32(List<PlannedFile> files) {
        return files.stream()
                .filter(file -> file.size() >= FAT32_LIMIT)
                .findFirst()
                .map(
                        file ->
                                file.relativePath()
                                        + " has "
                                        + file.size()
                                        + " bytes; FAT32 holds no file of 4 GiB or more")
                .orElse(null);
    }

    /** Why a name is not valid on FAT or exFAT, or null. */
    private static String badName(String name) {
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                return "holds a control character, which is not allowed";
            }
            if (FORBIDDEN.indexOf(c) >= 0) {
                return "holds '" + c + "', which is not allowed";
            }
        }
        if (name.endsWith(".") || name.endsWith(" ")) {
            return "ends with a dot or a space, which is not allowed";
        }
        return null;
    }
}
