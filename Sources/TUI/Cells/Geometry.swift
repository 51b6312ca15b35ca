// Rectangles and constraint layout (fixed / percentage / minimum / fill), enough for every pane and popup.

public struct Size: Equatable, Sendable {
    public var width: Int, height: Int
    public init(width: Int, height: Int) { self.width = max(0, width); self.height = max(0, height) }
}

public struct Rect: Equatable, Sendable, CustomStringConvertible {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }
    public static let zero = Rect(x: 0, y: 0, width: 0, height: 0)
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public var description: String { "(\(x),\(y) \(width)x\(height))" }

    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }

    public func inset(_ margin: Int) -> Rect {
        Rect(x: x + margin, y: y + margin, width: width - 2 * margin, height: height - 2 * margin)
    }

    /// A rect of at most the given size, centred in this one.
    public func centered(width w: Int, height h: Int) -> Rect {
        let cw = min(w, width), ch = min(h, height)
        return Rect(x: x + (width - cw) / 2, y: y + (height - ch) / 2, width: cw, height: ch)
    }

    public func row(_ offset: Int) -> Rect { Rect(x: x, y: y + offset, width: width, height: offset < height ? 1 : 0) }
}

public enum Constraint: Equatable, Sendable {
    case fixed(Int)
    case percent(Int)
    case min(Int)
    /// Takes what is left, shared equally between fills.
    case fill
}

public enum Axis { case horizontal, vertical }

extension Rect {
    /// Splits along an axis. Fixed and percentage parts come first, minimums get their minimum, then what is left
    /// goes to fills and minimums equally. Parts never overlap and never leave the rect, however small it is.
    public func split(_ axis: Axis, _ constraints: [Constraint]) -> [Rect] {
        let total = axis == .horizontal ? width : height
        var sizes = constraints.map { c -> Int in
            switch c {
            case .fixed(let n): return Swift.max(0, n)
            case .percent(let p): return Swift.max(0, total * p / 100)
            case .min(let n): return Swift.max(0, n)
            case .fill: return 0
            }
        }
        var used = sizes.reduce(0, +)
        // Too small: shrink from the last part backwards.
        var i = sizes.count - 1
        while used > total && i >= 0 {
            let cut = Swift.min(sizes[i], used - total)
            sizes[i] -= cut; used -= cut; i -= 1
        }
        let growable = constraints.indices.filter { if case .fill = constraints[$0] { return true }; if case .min = constraints[$0] { return true }; return false }
        if used < total && !growable.isEmpty {
            let extra = total - used
            for (n, idx) in growable.enumerated() {
                sizes[idx] += extra / growable.count + (n < extra % growable.count ? 1 : 0)
            }
        }
        var offset = 0
        return sizes.map { size in
            defer { offset += size }
            return axis == .horizontal
                ? Rect(x: x + offset, y: y, width: size, height: height)
                : Rect(x: x, y: y + offset, width: width, height: size)
        }
    }
}
