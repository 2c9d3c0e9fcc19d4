package shop.usb.pipeline;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

class ArchitectureTest {

    static final JavaClasses PRODUCT =
            new ClassFileImporter()
                    .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                    .importPackages("shop.usb.pipeline");

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("shop.usb.pipeline.(*)..").should().beFreeOfCycles().check(PRODUCT);
    }
}
