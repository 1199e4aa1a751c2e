/// Writes bars as CSV in the seed's format (or the plain epoch-millisecond one). Numbers are
/// printed in their shortest exact form, so reading the file back gives the same bits.
public enum BarCSVWriter {
    public static func csv(_ bars: BarSeries, format: BarFormat = .seed) -> String {
        var out = ""
        out.reserveCapacity(bars.count * 90)
        switch format {
        case .plain: out += "timestamp,open,high,low,close,volume\n"
        default: out += "time,open,high,low,close,volume,buy_volume,sell_volume\n"
        }
        for i in 0..<bars.count {
            let b = bars[i]
            if format == .plain {
                out += "\(b.time),\(b.open),\(b.high),\(b.low),\(b.close),\(b.volume)\n"
            } else {
                out +=
                    "\(Timestamp.format(b.time)),\(b.open),\(b.high),\(b.low),\(b.close),\(b.volume),\(b.buyVolume),\(b.sellVolume)\n"
            }
        }
        return out
    }
}
