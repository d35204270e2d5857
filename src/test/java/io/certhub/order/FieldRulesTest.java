package io.certhub.order;

import static org.assertj.core.api.Assertions.assertThat;

import io.certhub.problem.HubProblem.FieldError;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The text rules of order fields on their own (issue 16, item 3 and "Inputs that answer 500"). */
class FieldRulesTest {

    private static List<FieldError> check(String value, int max) {
        List<FieldError> errors = new ArrayList<>();
        FieldRules.singleLine(value, "contacts.admin.firstName", max, errors);
        return errors;
    }

    @ParameterizedTest
    @ValueSource(strings = {"Al\u0001ex", "Al\u0000ex", "Al\nex", "Al\tex", "Al\u007Fex", "Al\u0085ex", "Al\u2028ex",
        "Al\u202Eex", "Al\u2066ex", "Al\uFEFFex", "Al\uFFFEex", "Al\uD800ex", "Al\uDC00ex"})
    void refusesControlSeparatorBidiAndUnencodableCharacters(String value) {
        List<FieldError> errors = check(value, 64);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo("FIELD_INVALID_CHARACTERS");
            assertThat(e.field()).isEqualTo("contacts.admin.firstName");
            assertThat(e.detail()).contains("at position 2").contains("U+");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"Alex", "José", "Zoë-Ann O'Brien", "山田", "Ölçer", "😀 emoji ok", "  padded  "})
    void acceptsOrdinaryNames(String value) {
        assertThat(check(value, 64)).isEmpty();
    }

    @Test
    void lengthIsCountedAfterTrimmingAndNamesTheLimit() {
        assertThat(check("a".repeat(64), 64)).isEmpty();
        assertThat(check(" " + "a".repeat(64) + " ", 64)).isEmpty();
        assertThat(check("a".repeat(65), 64)).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo("FIELD_TOO_LONG");
            assertThat(e.detail()).contains("65 characters").contains("maximum is 64");
        });
        assertThat(check(null, 1)).isEmpty();
    }

    @Test
    void contactChecksEveryFieldAndThePhoneForm() {
        OrderDocument.Contact c = new OrderDocument.Contact("A\u0000", "B", "x".repeat(65), null, "1 Main St\r\nX", null, null,
            "c".repeat(129), null, "p".repeat(41), "US", "call me", "+1 (555) 555-0100 x12", "a@b.example\u0007");
        List<FieldError> errors = new ArrayList<>();
        FieldRules.contact(c, "contacts.organization", errors);
        assertThat(errors).extracting(FieldError::field, FieldError::code).containsExactly(
            org.assertj.core.groups.Tuple.tuple("contacts.organization.firstName", "FIELD_INVALID_CHARACTERS"),
            org.assertj.core.groups.Tuple.tuple("contacts.organization.orgName", "FIELD_TOO_LONG"),
            org.assertj.core.groups.Tuple.tuple("contacts.organization.address1", "FIELD_INVALID_CHARACTERS"),
            org.assertj.core.groups.Tuple.tuple("contacts.organization.city", "FIELD_TOO_LONG"),
            org.assertj.core.groups.Tuple.tuple("contacts.organization.postalCode", "FIELD_TOO_LONG"),
            org.assertj.core.groups.Tuple.tuple("contacts.organization.phone", "FIELD_INVALID"),
            org.assertj.core.groups.Tuple.tuple("contacts.organization.email", "FIELD_INVALID_CHARACTERS"));
    }

    @Test
    void phoneNumbers() {
        assertThat(FieldRules.phone("+1.5555550100")).isTrue();
        assertThat(FieldRules.phone("+49 30 1234567")).isTrue();
        assertThat(FieldRules.phone("(555) 555-0100 x2")).isTrue();
        assertThat(FieldRules.phone("123")).isFalse();
        assertThat(FieldRules.phone("+1.555<script>")).isFalse();
        assertThat(FieldRules.phone("1".repeat(33))).isFalse();
    }
}
