//! Where the cards go. The stage is laid out for the room it has (its measured size in
//! CSS pixels), so card text keeps the size the style sheet gives it: cards get narrower
//! and shorter before anything is scaled down, and only a lab too big for the room at
//! the smallest card is drawn smaller.

/// A card's natural size, with every control row showing.
pub const CARD_W: f64 = 290.0;
pub const CARD_H: f64 = 184.0;
/// The smallest card that still shows name, state, position and badges at full size.
const MIN_W: f64 = 168.0;
const MIN_H: f64 = 128.0;
/// A card narrower than its natural width wraps its control rows and needs this height.
const WRAPPED_H: f64 = 232.0;
/// At least this wide, a card's control rows fit on one line each.
const ROOMY_W: f64 = 285.0;

/// The height a card `w` wide needs to show every row.
fn needed_h(w: f64) -> f64 {
    if w >= ROOMY_W {
        CARD_H
    } else {
        WRAPPED_H
    }
}
const GAP_X: f64 = 16.0;
/// Room between two rows of cards, for the links and their two-line labels.
const BAND: f64 = 96.0;
const BAND_MIN: f64 = 72.0;
/// How far below the cards a link between two cards of the same row dips.
pub const DIP: f64 = 44.0;
const MARGIN: f64 = 12.0;
/// Standbys per row.
const PER_ROW: usize = 4;

/// Where each card sits: the first host on top, the others in rows below it.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The drawing's size in stage units (CSS pixels when it fits the room).
    pub width: f64,
    pub height: f64,
    /// Top-left corner of each host's card, by host index.
    pub pos: Vec<(f64, f64)>,
    pub card_w: f64,
    pub card_h: f64,
    /// The cards are smaller than their natural size: control rows show on hover/focus.
    pub compact: bool,
    /// Standbys per row.
    pub per_row: usize,
}

impl Layout {
    /// How much the drawing is shrunk to fit `room` (1 when it was laid out for it), and
    /// the left offset that centres it.
    pub fn fit(&self, room: Option<(f64, f64)>) -> (f64, f64) {
        match room {
            Some((w, h)) if w > 0.0 && h > 0.0 => {
                let s = (w / self.width).min(h / self.height).min(1.0);
                (s, ((w - self.width * s) / 2.0).max(0.0))
            }
            _ => (1.0, 0.0),
        }
    }
}

impl Layout {
    /// Whether hosts `a` and `b` sit in the same row (the first host has the top row to
    /// itself).
    pub fn same_row(&self, a: usize, b: usize) -> bool {
        a > 0 && b > 0 && (a - 1) / self.per_row == (b - 1) / self.per_row
    }
}

/// Where each of `n` hosts' cards goes in `room` (CSS pixels, when measured); `curves`
/// leaves room under the cards for links between cards of the same row and their labels.
pub fn layout(n: usize, curves: bool, room: Option<(f64, f64)>) -> Layout {
    room.filter(|(w, h)| *w > 0.0 && *h > 0.0)
        .and_then(|(w, h)| fitted(n, curves, w, h))
        .unwrap_or_else(|| natural(n, curves))
}

/// The cards at their natural size, to be scaled to whatever room there is.
fn natural(n: usize, curves: bool) -> Layout {
    let others = n.saturating_sub(1);
    let cols = others.clamp(3, PER_ROW);
    let width = cols as f64 * (CARD_W + 26.0) - 26.0 + 2.0 * MARGIN;
    let below = if curves { DIP + 48.0 } else { 0.0 };
    let rows = others.div_ceil(PER_ROW).max(1);
    let band = BAND + 8.0;
    let height = MARGIN * 2.0 + CARD_H + rows as f64 * (band + CARD_H) + below;
    let mut l = place(n, width, CARD_W, CARD_H, 26.0, band, PER_ROW, false);
    l.height = height;
    l
}

/// Cards sized for a `w` x `h` room, if the smallest card fits.
fn fitted(n: usize, curves: bool, w: f64, h: f64) -> Option<Layout> {
    let others = n.saturating_sub(1);
    let below = if curves { DIP + 48.0 } else { 0.0 };
    for band in [BAND, BAND_MIN] {
        for cols in (1..=others.clamp(1, PER_ROW)).rev() {
            let card_w = ((w - 2.0 * MARGIN - (cols - 1) as f64 * GAP_X) / cols as f64).min(CARD_W);
            if card_w < MIN_W {
                continue;
            }
            let rows = 1 + others.div_ceil(cols);
            let card_h = ((h - 2.0 * MARGIN - below - (rows - 1) as f64 * band) / rows as f64)
                .min(needed_h(card_w));
            if card_h < MIN_H {
                continue;
            }
            // Too short for every row: the control rows show on hover or focus.
            let compact = card_h < needed_h(card_w);
            let mut l = place(n, w, card_w, card_h, GAP_X, band, cols, compact);
            l.height = h;
            return Some(l);
        }
    }
    None
}

/// `n` cards of `card_w` x `card_h` in a drawing `width` wide, `per_row` standbys to a
/// row, each row centred.
#[allow(clippy::too_many_arguments)]
fn place(
    n: usize,
    width: f64,
    card_w: f64,
    card_h: f64,
    gap: f64,
    band: f64,
    per_row: usize,
    compact: bool,
) -> Layout {
    let others = n.saturating_sub(1);
    let mut pos = vec![((width - card_w) / 2.0, MARGIN)];
    for k in 0..others {
        let (row, col) = (k / per_row, k % per_row);
        let in_row = (others - row * per_row).min(per_row) as f64;
        let x0 = (width - (in_row * (card_w + gap) - gap)) / 2.0;
        let y = MARGIN + card_h + band + row as f64 * (card_h + band);
        pos.push((x0 + col as f64 * (card_w + gap), y));
    }
    let rows = others.div_ceil(per_row);
    Layout {
        width,
        height: MARGIN * 2.0 + card_h + rows as f64 * (band + card_h),
        pos,
        card_w,
        card_h,
        compact,
        per_row,
    }
}
