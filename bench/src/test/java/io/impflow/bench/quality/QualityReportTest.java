package io.impflow.bench.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.impflow.trainer.data.SplitProtocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityReportTest {

  private static RunRecord record(SplitProtocol protocol, long seed, String method, double auroc) {
    Stopwatch.Elapsed t = new Stopwatch.Elapsed(2, 1);
    return new RunRecord("synthetic", protocol, seed, method, 1000, auroc, 0.5, t, t, 10, 50, 0,
        protocol == SplitProtocol.CLEAN ? 0 : 0.2, "a, \"quoted\" note");
  }

  @Test
  void reportsMeanAndSampleSdAndTheGapsToTheBestPeer() {
    List<RunRecord> records = new ArrayList<>();
    double[] impflow = {0.80, 0.82, 0.84};
    double[] peer = {0.90, 0.91, 0.92};
    for (int s = 0; s < 3; s++) {
      records.add(record(SplitProtocol.CLEAN, s + 1, "ImpFlow", 0.99));
      records.add(record(SplitProtocol.CLEAN, s + 1, "ResFlow", 0.95));
      records.add(record(SplitProtocol.CONTAMINATED, s + 1, "ImpFlow", impflow[s]));
      records.add(record(SplitProtocol.CONTAMINATED, s + 1, "ResFlow", peer[s]));
    }
    Map<String, io.impflow.trainer.data.Dataset> datasets = new LinkedHashMap<>();
    datasets.put("synthetic", SuiteRunnerTest.labelled());
    QualityReport report = new QualityReport(records, datasets);

    QualityReport.Summary summary = report.summary("synthetic", SplitProtocol.CONTAMINATED, "ImpFlow",
        RunRecord::auroc);
    assertThat(summary.mean()).isCloseTo(0.82, within(1e-12));
    assertThat(summary.sd()).isCloseTo(0.02, within(1e-12));

    List<QualityReport.Gap> gaps = report.gaps();
    assertThat(gaps).hasSize(1);
    QualityReport.Gap gap = gaps.get(0);
    assertThat(gap.protocol()).isEqualTo(SplitProtocol.CONTAMINATED);
    assertThat(gap.peer()).isEqualTo("ResFlow");
    assertThat(gap.peerAuroc() - gap.subjectAuroc()).isCloseTo(0.09, within(1e-12));
    assertThat(gap.trainOutlierShare()).isCloseTo(0.2, within(1e-12));
    assertThat(report.markdown()).contains("| synthetic | contaminated | 0.8200 | ResFlow | 0.9100 | 0.0900 |")
        .contains("**0.990 ± 0.000**")
        .contains("| **mean of the rows** | | 0.9050 | **0.9300** |")
        .contains("ImpFlow higher: synthetic clean (+0.0400)")
        .contains("ImpFlow equal or lower: synthetic contaminated (-0.0900)");
  }

  @Test
  void recordsSurviveTheCsvRoundTrip(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    List<RunRecord> records = List.of(record(SplitProtocol.CLEAN, 1, "RCF (fit, then score)", 0.123456789),
        record(SplitProtocol.CONTAMINATED, 2, "ImpFlow", 0.9));
    java.nio.file.Path file = dir.resolve("runs.csv");
    RunRecordCsv.write(file, records);
    assertThat(RunRecordCsv.read(file)).isEqualTo(records);
    java.nio.file.Path appended = dir.resolve("appended.csv");
    for (RunRecord record : records) {
      RunRecordCsv.append(appended, record);
    }
    assertThat(java.nio.file.Files.readString(appended)).isEqualTo(java.nio.file.Files.readString(file));
  }
}
