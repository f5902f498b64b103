package dev.json2parquet.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorKindsTest {
  @Test
  void of_foldsQuotedValuesNumbersAndIndexes_keepsFieldNamesAndWords() {
    assertThat(ErrorKinds.of("$.audit: expected boolean, got string \"x\""))
        .isEqualTo(ErrorKinds.of("$.audit: expected boolean, got string \"y \\\" z\""))
        .isEqualTo("$.audit: expected boolean, got string \"…\"");
    assertThat(ErrorKinds.of("$.tags[12]: expected string, got number -5.5e3"))
        .isEqualTo("$.tags[N]: expected string, got number N");
    assertThat(ErrorKinds.of("invalid UTF-8 at byte 17 of the line")).isEqualTo("invalid UTF-8 at byte N of the line");
    assertThat(ErrorKinds.of("$.id: integer 18446744073709551616 is outside the 64-bit range"))
        .isEqualTo("$.id: integer N is outside the 64-bit range");
    assertThat(ErrorKinds.of("invalid JSON at column 3: Unexpected character ('o' (code 111))"))
        .isEqualTo("invalid JSON at column N: Unexpected character ('…' (code N))");
  }
}
