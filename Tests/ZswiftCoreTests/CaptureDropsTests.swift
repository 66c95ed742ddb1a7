// broker --capture's report of what it dropped: each cause with its count, in words.
import Testing
@testable import ZswiftCore

@Test func aCaptureDropReportNamesASlowReaderAndWhatWasStillWaitingForIt() {
    let drops = CaptureDrops(fellBehind: 0, slowReader: 70, waiting: 20)
    #expect(drops.total == 70)
    #expect(drops.reasons == "the reader of stdout was slower than the traffic (20 of them were still waiting to be written when the broker stopped)")
    #expect(CaptureDrops(fellBehind: 0, slowReader: 5, waiting: 0).reasons == "the reader of stdout was slower than the traffic")
}

@Test func aCaptureDropReportSplitsTheCountWhenTheCaptureItselfFellBehindToo() {
    #expect(CaptureDrops(fellBehind: 9, slowReader: 0, waiting: 0).reasons == "the capture could not keep up with the traffic")
    let both = CaptureDrops(fellBehind: 9, slowReader: 3, waiting: 0)
    #expect(both.total == 12)
    #expect(both.reasons == "3 because the reader of stdout was slower than the traffic, 9 because the capture could not keep up with the traffic")
}
