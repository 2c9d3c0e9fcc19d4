package shop.usb.pipeline.station;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import shop.usb.pipeline.device.Stick;
import shop.usb.pipeline.device.StickSizes;

/**
 * The sticks the shop puts into its station ({@code pipeline.usb.stocked-sizes}, {@code
 * pipeline.usb.stocked-filesystems}), when it says so. Then an order that none of them could ever
 * take fails at once, instead of waiting for a stick that will not come. Empty means unknown: any
 * size, any filesystem.
 */
public record StickStock(List<Long> nominalSizes, Set<String> filesystems) {

    public static final StickStock UNKNOWN = new StickStock(List.of(), Set.of());

    /** "8GB,16GB,512MB" (decimal units, as sticks are sold) and "vfat,exfat"; blank for unknown. */
    public static StickStock parse(String sizes, String filesystems) {
        List<Long> nominal =
                sizes == null || sizes.isBlank()
                        ? List.of()
                        : List.of(sizes.split(",")).stream()
                                .map(String::trim)
                                .filter(s -> !s.isEmpty())
                                .map(StickStock::bytes)
                                .toList();
        Set<String> types =
                filesystems == null || filesystems.isBlank()
                        ? Set.of()
                        : Set.copyOf(
                                List.of(filesystems.toLowerCase(Locale.ROOT).split(",")).stream()
                                        .map(String::trim)
                                        .filter(s -> !s.isEmpty())
                                        .toList());
        return new StickStock(nominal, types);
    }

    /**
     * Why no stocked stick could ever take an order of this size class that refuses these
     * filesystems; null when one could (or the stock is unknown).
     */
    String neverFits(long capacityBytes, Map<String, String> refusedFilesystems, StickSizes sizes) {
        if (!nominalSizes.isEmpty()
                && nominalSizes.stream().noneMatch(nominal -> sizes.fits(nominal, capacityBytes))) {
            return "the order was bought on a "
                    + NoStickReadyException.sizeClass(capacityBytes)
                    + " stick; the station is stocked with "
                    + nominalSizes.stream().map(NoStickReadyException::sizeClass).toList()
                    + " only (pipeline.usb.stocked-sizes)";
        }
        if (!filesystems.isEmpty()
                && filesystems.stream()
                        .allMatch(type -> StickRules.refuses(refusedFilesystems.keySet(), type))) {
            return "no stocked filesystem "
                    + filesystems
                    + " can hold the order: "
                    + String.join("; ", refusedFilesystems.values())
                    + " (pipeline.usb.stocked-filesystems)";
        }
        return null;
    }

    /**
     * Why a stick fits none of the stocked size classes (too small or too large for all); null when
     * one fits.
     */
    String noSizeClassFor(Stick stick, StickSizes sizes) {
        if (nominalSizes.isEmpty()
                || nominalSizes.stream().anyMatch(nominal -> sizes.fits(stick, nominal))) {
            return null;
        }
        return "holds "
                + stick.sizeBytes()
                + " bytes, which fits none of the stocked size classes "
                + nominalSizes.stream().map(NoStickReadyException::sizeClass).toList();
    }

    private static long bytes(String size) {
        String text = size.toUpperCase(Locale.ROOT).replace(" ", "");
        for (Map.Entry<String, Long> unit :
                Map.of("TB", 1_000_000_000_000L, "GB", 1_000_000_000L, "MB", 1_000_000L)
                        .entrySet()) {
            if (text.endsWith(unit.getKey())) {
                return Math.round(
                        Double.parseDouble(text.substring(0, text.length() - 2)) * unit.getValue());
            }
        }
        throw new IllegalStateException(
                "pipeline.usb.stocked-sizes: '" + size + "' is not a size such as 16GB");
    }
}
