package shop.usb.pipeline.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs every test of a class once on H2 and once on PostgreSQL. The class takes the engine in a
 * field annotated {@code @Parameter}; a class that starts one product for all its tests does so in
 * {@code @BeforeParameterizedClassInvocation(injectArguments = false)} and stops it in
 * {@code @AfterParameterizedClassInvocation(injectArguments = false)}, so each database gets its
 * own product. With {@code PER_CLASS} JUnit keeps one instance for both runs: fields that a run
 * fills are set there, not where they are declared.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.Engine.class)
public @interface OnEachDatabase {}
