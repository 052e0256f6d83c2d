//! What the server answers a query with: the columns (RowDescription, with the
//! alignment psql picks from each column's type) and the rows as text (DataRow).

/// How a column's values line up, as psql does: numbers right, everything else left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text, dates, LSNs and anything non-numeric: padded on the right.
    Left,
    /// Numeric types (int, float, numeric, oid...): padded on the left.
    Right,
}

/// One column header of a result, with the alignment psql picks from its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column name as the server reports it.
    pub name: String,
    /// Where psql puts the values of this column.
    pub align: Align,
}

/// A query result: column headers and rows of already-formatted text values
/// (None = SQL NULL, printed empty).
///
/// A row shorter than `columns` is treated as having NULLs in its missing cells;
/// cells beyond `columns.len()` are ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultSet {
    /// The column headers, in output order.
    pub columns: Vec<Column>,
    /// The rows, each a list of cells in column order.
    pub rows: Vec<Vec<Option<String>>>,
}
