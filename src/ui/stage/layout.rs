//! Where the cards go. The stage is laid out for the room it has (its measured size in
//! CSS pixels), so card text keeps the size the style sheet gives it: cards get narrower
//! and shorter before anything is scaled down, a short card shows fewer details (its
//! controls on hover or focus, then only name, state, position and badges), and only a
//! lab too big for the room even then is drawn smaller.
//!
//! How tall a card must be depends on what it says at its width (a position or a badge
//! row that wraps), so the layout is given each card's texts ([`CardText`]) and estimates
//! their lines from the style sheet's sizes.

/// A card's natural size, with every control row showing.
pub const CARD_W: f64 = 290.0;
pub const CARD_H: f64 = 184.0;
/// The narrowest card that still shows its texts at full size.
const MIN_W: f64 = 168.0;
/// At least this wide, a card's control rows fit on one line each.
const ROOMY_W: f64 = 285.0;
/// The control rows (fault buttons, link, workload) on one line each, or wrapped.
const CONTROLS_H: f64 = 76.0;
const CONTROLS_WRAPPED_H: f64 = 104.0;
/// A row of buttons (a subscription's) with the gap below it.
const SUB_ROW: f64 = 26.0;
const GAP_X: f64 = 16.0;
/// Room between two rows of cards, for the links and their two-line labels (a link
/// between two cards of one row arcs up into it).
const BAND: f64 = 96.0;
const BAND_MIN: f64 = 72.0;
/// How far above the cards a link between two cards of the same row rises.
pub const RISE: f64 = 34.0;
const MARGIN: f64 = 10.0;
/// Standbys per row.
const PER_ROW: usize = 4;
/// Room the legend keeps in the top-left corner, beside the first card (its longest
/// entries, "logical" and "firewall", end about 106 px in).
const LEGEND_W: f64 = 112.0;
/// An application's chip in the band above the cards (two 14 px lines), its width
/// range, and the room under the chips where their links leave for the cards.
pub const APP_H: f64 = 46.0;
const APP_MIN_W: f64 = 170.0;
const APP_MAX_W: f64 = 250.0;
const APP_LINKS_H: f64 = 30.0;

// The card's box and rows as assets/style.css draws them (px).
/// Border (3 px for a primary) and padding, top and bottom; left and right.
const CARD_FRAME_H: f64 = 20.0;
const CARD_FRAME_W: f64 = 26.0;
/// Gap between the card's rows.
const ROW_GAP: f64 = 3.0;
/// Name row (19 px, 17 px compact), state line (15 px), position line (14 px mono),
/// badge row (14 px in a 22 px chip).
const NAME_H: f64 = 26.0;
const STATE_LINE: f64 = 20.5;
const POS_LINE: f64 = 19.0;
const BADGE_ROW: f64 = 22.0;
/// Estimated advance of one character: the state line (15 px sans, partly bold), the
/// position (14 px mono), a badge (14 px sans) and a badge's padding and gap.
const STATE_CH: f64 = 8.0;
const POS_CH: f64 = 8.5;
const BADGE_CH: f64 = 7.2;
const BADGE_PAD: f64 = 20.0;
/// The first card may be this wide: a primary carries the most badges.
const TOP_MAX_W: f64 = 400.0;

/// What a card says, for the height it needs: its state line (as a compact card
/// shows it) and position line, in characters, and each badge's text length.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CardText {
    pub state_chars: usize,
    pub pos_chars: usize,
    pub badges: Vec<usize>,
    /// A standby's controls (five fault buttons; the link's button and two selects)
    /// take two lines each even on a roomy card.
    pub standby: bool,
    /// A subscriber's subscriptions: one row of buttons each (the first in the room a
    /// standby's link row takes).
    pub subscriptions: usize,
}

/// Lines of `chars` characters of `ch` px each in `inner` px, wrapped at words
/// (a line is never split into more than needed for its longest word).
fn lines(chars: usize, ch: f64, inner: f64) -> f64 {
    if chars == 0 {
        return 1.0;
    }
    ((chars as f64 * ch) / inner.max(1.0))
        .ceil()
        .clamp(1.0, 3.0)
}

/// Rows the badges take in `inner` px, wrapped as a flex row wraps them.
fn badge_rows(badges: &[usize], inner: f64) -> f64 {
    let mut rows = 1.0;
    let mut used = 0.0;
    for b in badges {
        let w = *b as f64 * BADGE_CH + BADGE_PAD;
        if used > 0.0 && used + w > inner {
            rows += 1.0;
            used = 0.0;
        }
        used += w;
    }
    rows
}

impl CardText {
    /// The height a compact card `w` wide needs: name, state, position, badges.
    fn compact_h(&self, w: f64) -> f64 {
        let inner = w - CARD_FRAME_W;
        let rows = badge_rows(&self.badges, inner);
        CARD_FRAME_H
            + NAME_H
            + lines(self.state_chars, STATE_CH, inner) * STATE_LINE
            + lines(self.pos_chars, POS_CH, inner) * POS_LINE
            + rows * BADGE_ROW
            + (rows - 1.0) * 2.0
            + 3.0 * ROW_GAP
    }

    /// The height a card `w` wide needs to show every row, its controls too.
    fn full_h(&self, w: f64) -> f64 {
        let roomy = w >= ROOMY_W;
        let controls = if roomy && !self.standby {
            CONTROLS_H
        } else {
            CONTROLS_WRAPPED_H
        };
        // Each further subscription's row: its name and two buttons, wrapped in two
        // lines on a narrow card.
        let subs = self.subscriptions.saturating_sub(1) as f64
            * if roomy { SUB_ROW } else { 2.0 * SUB_ROW };
        (self.compact_h(w) + controls + subs).max(CARD_H)
    }

    /// The height it needs with the fewest details: name, state and position.
    fn least_h(&self, w: f64) -> f64 {
        let inner = w - CARD_FRAME_W;
        CARD_FRAME_H
            + NAME_H
            + lines(self.state_chars, STATE_CH, inner) * STATE_LINE
            + lines(self.pos_chars, POS_CH, inner) * POS_LINE
            + 2.0 * ROW_GAP
    }
}

/// How much a card shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Every row, controls too.
    Full,
    /// Name, state, position and badges; the controls on hover or focus.
    Compact,
    /// Name, state and position; badges and controls on hover or focus.
    Least,
}

/// Where each card sits: the first host on top, the others in rows below it.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The drawing's size in stage units (CSS pixels when it fits the room).
    pub width: f64,
    pub height: f64,
    /// Top-left corner of each host's card, by host index.
    pub pos: Vec<(f64, f64)>,
    /// The standbys' cards' size.
    pub card_w: f64,
    pub card_h: f64,
    /// The first card's width (it has the top row to itself, and a primary the most
    /// badges).
    pub top_w: f64,
    pub detail: Detail,
    /// Standbys per row.
    pub per_row: usize,
    /// The applications' chips above the cards: top-left corner of each, and their
    /// width (all [`APP_H`] tall).
    pub apps: Vec<(f64, f64)>,
    pub app_w: f64,
    /// Where the cards start: below the applications' band.
    pub top: f64,
    /// The chips stand right of the first card, not in a band above the cards.
    pub beside: bool,
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

    /// Whether hosts `a` and `b` sit in the same row (the first host has the top row to
    /// itself).
    pub fn same_row(&self, a: usize, b: usize) -> bool {
        a > 0 && b > 0 && (a - 1) / self.per_row == (b - 1) / self.per_row
    }

    /// Host `i`'s card width.
    pub fn w(&self, i: usize) -> f64 {
        if i == 0 {
            self.top_w
        } else {
            self.card_w
        }
    }

    /// The centre of host `i`'s card.
    pub fn centre(&self, i: usize) -> (f64, f64) {
        let (x, y) = self.pos[i];
        (x + self.w(i) / 2.0, y + self.card_h / 2.0)
    }

    /// The cards show less than every row: controls (and perhaps badges) show on hover
    /// or focus.
    pub fn compact(&self) -> bool {
        self.detail != Detail::Full
    }
}

/// Where each host's card goes in `room` (CSS pixels, when measured), for cards that
/// say `texts` (one per host), with `apps` applications: their chips in a band of its
/// own above the cards, or, when that band would leave the cards too little room (a
/// lesson step beside a three-host lab), in a column right of the first card. Either
/// way a chip never lies over a card.
pub fn layout(texts: &[CardText], apps: usize, room: Option<(f64, f64)>) -> Layout {
    let room = room.filter(|(w, h)| *w > 0.0 && *h > 0.0);
    if let Some((w, h)) = room {
        if let Some(l) = fitted(texts, w, h - app_band(apps, w).0, TOP_MAX_W) {
            return above(l, apps);
        }
        if let Some(l) = beside(texts, apps, w, h) {
            return l;
        }
    }
    above(natural(texts.len()), apps)
}

/// `l` moved down under the applications' band.
fn above(mut l: Layout, apps: usize) -> Layout {
    let (band, chips, app_w) = app_band(apps, l.width);
    if band > 0.0 {
        for p in &mut l.pos {
            p.1 += band;
        }
        l.height += band;
    }
    l.apps = chips;
    l.app_w = app_w;
    l.top = band;
    l
}

/// The cards fitted to a `w` x `h` room with `n` chips stacked right of the first
/// card (narrowed to make room for them), if the column is no taller than that card.
fn beside(texts: &[CardText], n: usize, w: f64, h: f64) -> Option<Layout> {
    let top_max = w - 2.0 * (MARGIN + GAP_X + APP_MIN_W);
    if n == 0 || top_max < MIN_W {
        return None;
    }
    let mut l = fitted(texts, w, h, top_max)?;
    if n as f64 * (APP_H + 8.0) - 8.0 > l.card_h {
        return None;
    }
    // The first card is as wide as the others at least: it moves left of centre (never
    // over the legend) until the chips have their narrowest width beside it.
    let top_w = l.w(0);
    let left = ((w - top_w) / 2.0).min(w - MARGIN - APP_MIN_W - GAP_X - top_w);
    if left < LEGEND_W {
        return None;
    }
    l.pos[0].0 = left;
    let x = left + top_w + GAP_X;
    l.app_w = (w - MARGIN - x).min(APP_MAX_W);
    l.apps = (0..n)
        .map(|i| (x, MARGIN + i as f64 * (APP_H + 8.0)))
        .collect();
    l.beside = true;
    Some(l)
}

/// The applications' band for `n` chips in a stage `width` wide: its height, each
/// chip's corner (rows centred), and the chips' width.
fn app_band(n: usize, width: f64) -> (f64, Vec<(f64, f64)>, f64) {
    if n == 0 {
        return (0.0, Vec::new(), 0.0);
    }
    let inner = (width - 2.0 * MARGIN).max(APP_MIN_W);
    let per_row = (((inner + GAP_X) / (APP_MIN_W + GAP_X)).floor() as usize).clamp(1, n);
    let w = ((inner - (per_row - 1) as f64 * GAP_X) / per_row as f64).min(APP_MAX_W);
    let rows = n.div_ceil(per_row);
    let mut pos = Vec::with_capacity(n);
    for i in 0..n {
        let (row, col) = (i / per_row, i % per_row);
        let in_row = (n - row * per_row).min(per_row) as f64;
        let x0 = (width - (in_row * (w + GAP_X) - GAP_X)) / 2.0;
        pos.push((
            x0 + col as f64 * (w + GAP_X),
            MARGIN + row as f64 * (APP_H + 8.0),
        ));
    }
    let band = MARGIN + rows as f64 * (APP_H + 8.0) - 8.0 + APP_LINKS_H;
    (band, pos, w)
}

/// The cards at their natural size, to be scaled to whatever room there is.
fn natural(n: usize) -> Layout {
    let others = n.saturating_sub(1);
    let cols = others.clamp(3, PER_ROW);
    let width = cols as f64 * (CARD_W + 26.0) - 26.0 + 2.0 * MARGIN;
    let band = BAND + 8.0;
    let mut l = place(n, width, (CARD_W, CARD_W, CARD_H), 26.0, band, PER_ROW);
    l.height += RISE;
    l
}

/// Cards sized for a `w` x `h` room (the first at most `top_max` wide), if the narrowest
/// card fits, with as many details
/// as the room allows.
fn fitted(texts: &[CardText], w: f64, h: f64, top_max: f64) -> Option<Layout> {
    let n = texts.len();
    let others = n.saturating_sub(1);
    let top_w = (w - 2.0 * LEGEND_W).clamp(MIN_W, top_max.max(MIN_W));
    let need = |card_w: f64, f: &dyn Fn(&CardText, f64) -> f64| {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| f(t, if i == 0 { top_w } else { card_w }))
            .fold(0.0, f64::max)
    };
    // Every control showing is worth the narrower band between rows (72 px still holds a
    // link's two-line label): full cards, in as many columns as there are standbys (up
    // to a row's worth), with either band before compact ones.
    let cols = others.clamp(1, PER_ROW);
    let card_w = ((w - 2.0 * MARGIN - (cols - 1) as f64 * GAP_X) / cols as f64).min(CARD_W);
    if card_w >= MIN_W {
        let full = need(card_w, &CardText::full_h);
        for band in [BAND, BAND_MIN] {
            let rows = 1 + others.div_ceil(cols);
            let room_h = (h - 2.0 * MARGIN - (rows - 1) as f64 * band) / rows as f64;
            if room_h >= full {
                let mut l = place(n, w, (top_w.max(card_w), card_w, full), GAP_X, band, cols);
                l.detail = Detail::Full;
                l.height = h;
                return Some(l);
            }
        }
    }
    for detail in [Detail::Compact, Detail::Least] {
        for band in [BAND, BAND_MIN] {
            for cols in (1..=others.clamp(1, PER_ROW)).rev() {
                let card_w =
                    ((w - 2.0 * MARGIN - (cols - 1) as f64 * GAP_X) / cols as f64).min(CARD_W);
                if card_w < MIN_W {
                    continue;
                }
                let rows = 1 + others.div_ceil(cols);
                let room_h = (h - 2.0 * MARGIN - (rows - 1) as f64 * band) / rows as f64;
                let least = match detail {
                    Detail::Least => need(card_w, &CardText::least_h),
                    _ => need(card_w, &CardText::compact_h),
                };
                if room_h < least {
                    continue;
                }
                let full = need(card_w, &CardText::full_h);
                let card_h = room_h.min(full);
                let detail = if card_h >= full { Detail::Full } else { detail };
                let mut l = place(n, w, (top_w.max(card_w), card_w, card_h), GAP_X, band, cols);
                l.detail = detail;
                l.height = h;
                return Some(l);
            }
        }
    }
    None
}

/// `n` cards in a drawing `width` wide (the first `top_w` wide, the others `card_w` x
/// `card_h`), `per_row` standbys to a row, each row centred.
fn place(
    n: usize,
    width: f64,
    (top_w, card_w, card_h): (f64, f64, f64),
    gap: f64,
    band: f64,
    per_row: usize,
) -> Layout {
    let others = n.saturating_sub(1);
    let mut pos = vec![((width - top_w) / 2.0, MARGIN)];
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
        top_w,
        detail: Detail::Full,
        per_row,
        apps: Vec::new(),
        app_w: 0.0,
        top: 0.0,
        beside: false,
    }
}
