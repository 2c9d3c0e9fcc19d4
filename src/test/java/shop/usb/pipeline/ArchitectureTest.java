package shop.usb.pipeline;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import shop.usb.pipeline.device.SlotKind;
import shop.usb.pipeline.lease.Reclaimer;

/** The package structure docs/design.md promises, held against the product's classes. */
class ArchitectureTest {

    static final JavaClasses PRODUCT =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("shop.usb.pipeline");

    /** The reclaimer and the classes nested in it (its file visitor). */
    static final DescribedPredicate<JavaClass> RECLAIMER =
            DescribedPredicate.describe(
                    "the Reclaimer", type -> type.getName().startsWith(Reclaimer.class.getName()));

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("shop.usb.pipeline.(*)..").should().beFreeOfCycles().check(PRODUCT);
    }

    @Test
    void onlyTheReclaimerDeletesFilesOnSlots() {
        noClasses()
                .that(DescribedPredicate.not(RECLAIMER))
                .should()
                .callMethod(Files.class, "delete", Path.class)
                .orShould()
                .callMethod(Files.class, "deleteIfExists", Path.class)
                .orShould()
                .callMethod(File.class, "delete")
                .because("whoever ends a lease removes what it names through the one Reclaimer")
                .check(PRODUCT);
    }

    @Test
    void failureDependsOnNothingOfTheProduct() {
        noClasses()
                .that()
                .resideInAPackage("shop.usb.pipeline.failure..")
                .should()
                .dependOnClassesThat(
                        resideInAPackage("shop.usb.pipeline..")
                                .and(resideOutsideOfPackage("shop.usb.pipeline.failure..")))
                .check(PRODUCT);
    }

    @Test
    void nothingOutsideDeviceTellsAStickFromAFolder() {
        noClasses()
                .that()
                .resideOutsideOfPackage("shop.usb.pipeline.device..")
                .should()
                .accessField(SlotKind.class, "STICK")
                .orShould()
                .accessField(SlotKind.class, "FOLDER")
                .because("SlotKind answers every question on which the two kinds differ")
                .check(PRODUCT);
    }
}
