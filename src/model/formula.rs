//! User formulas for custom scaling laws (method.md §2, "any user formula"): a small, safe
//! parser and evaluator with no dependencies.
//!
//! Grammar (recursive descent; `^` binds tighter than unary minus, so `-x^2 = -(x^2)`, and is
//! right-associative; `**` is accepted for `^`, and `×`, `·`, `−` for `*`, `*`, `-`):
//!
//! ```text
//! formula := [name '='] sum            e.g. "L = E + A/N^alpha + B/D^beta"
//! sum     := product (('+' | '-') product)*
//! product := unary (('*' | '/') unary)*
//! unary   := ('-' | '+') unary | power
//! power   := atom ['^' unary]
//! atom    := number | name | function '(' sum (',' sum)* ')' | '(' sum ')'
//! ```
//!
//! Functions: `exp`, `log` (natural; `ln` too), `sqrt`, `pow(a, b)`, `min(a, b)`, `max(a, b)`.
//! A name is either a declared free parameter or a variable from the caller's list (law inputs
//! or CSV columns); anything else is an error naming its position. Positions count characters
//! from 1. The tree is compiled once to postfix code, so evaluation is a loop over a flat slice
//! with a fixed stack; nesting is limited so neither parsing nor evaluation can overflow.
//!
//! Gradients with respect to the parameters are exact, by forward-mode differentiation of the
//! same code ([`Formula::eval_grad`]): every stack slot carries its value and its derivatives.

use std::fmt;

/// Longest formula accepted, in characters.
pub const MAX_FORMULA_CHARS: usize = 4096;
/// Deepest nesting accepted (parentheses, unary signs, powers, function calls).
pub const MAX_NESTING: usize = 48;
/// Evaluation stack of the compiled code: each nesting level (each pass through `unary`) leaves
/// at most three operands waiting (a sum's, a product's and a power's left side).
const STACK: usize = 3 * MAX_NESTING + 8;

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

/// A built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Exp,
    Log,
    Sqrt,
    Pow,
    Min,
    Max,
}

impl Func {
    /// Every function with its name, for messages and lookup.
    pub const ALL: [Func; 6] = [
        Func::Exp,
        Func::Log,
        Func::Sqrt,
        Func::Pow,
        Func::Min,
        Func::Max,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Sqrt => "sqrt",
            Func::Pow => "pow",
            Func::Min => "min",
            Func::Max => "max",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            Func::Exp | Func::Log | Func::Sqrt => 1,
            Func::Pow | Func::Min | Func::Max => 2,
        }
    }

    fn lookup(name: &str) -> Option<Func> {
        if name == "ln" {
            return Some(Func::Log);
        }
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The parsed expression tree; parameters and variables are indices into the formula's lists.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Param(usize),
    Var(usize),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

/// Why a formula or a parameter list was refused. `position` counts characters from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormulaError {
    pub position: Option<usize>,
    pub message: String,
}

impl fmt::Display for FormulaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "formula: {}", self.message)
    }
}

impl std::error::Error for FormulaError {}

fn error(position: Option<usize>, message: String) -> FormulaError {
    FormulaError { position, message }
}

/// Postfix code of a compiled formula.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Num(f64),
    Param(u32),
    Var(u32),
    Neg,
    Bin(BinOp),
    Call(Func),
}

/// A compiled formula. Build with [`Formula::parse`].
#[derive(Clone, Debug)]
pub struct Formula {
    source: String,
    expr: Expr,
    code: Vec<Op>,
    params: Vec<String>,
    variables: Vec<String>,
}

impl PartialEq for Formula {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.params == other.params && self.expr == other.expr
    }
}

/// Splits a declared parameter list such as `"E, A, B, alpha, beta"` (commas or spaces).
pub fn parse_param_list(text: &str) -> Result<Vec<String>, FormulaError> {
    let mut names: Vec<String> = Vec::new();
    for name in text.split(|c: char| c == ',' || c.is_whitespace()) {
        if name.is_empty() {
            continue;
        }
        if !is_name(name) {
            return Err(error(
                None,
                format!("parameter list: '{name}' is not a name (letters, digits and _, not starting with a digit)"),
            ));
        }
        if Func::lookup(name).is_some() {
            return Err(error(
                None,
                format!("parameter list: '{name}' is a function name"),
            ));
        }
        if names.iter().any(|n| n == name) {
            return Err(error(
                None,
                format!("parameter list: '{name}' is declared twice"),
            ));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `s` can be written as a name in a formula.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if is_name_start(c)) && chars.all(is_name_char)
}

impl Formula {
    /// Parses and compiles `text`. `params` are the free parameters (they win over variables of
    /// the same name); `variables` the names the caller can supply per row.
    pub fn parse(
        text: &str,
        params: &[String],
        variables: &[&str],
    ) -> Result<Formula, FormulaError> {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() > MAX_FORMULA_CHARS {
            return Err(error(
                None,
                format!(
                    "too long ({} characters, limit {MAX_FORMULA_CHARS})",
                    chars.len()
                ),
            ));
        }
        let tokens = tokenize(&chars)?;
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            depth: 0,
            params,
            variables,
            used: Vec::new(),
        };
        let expr = parser.formula()?;
        let mut code = Vec::new();
        compile(&expr, &mut code);
        Ok(Formula {
            source: text.to_string(),
            expr,
            code,
            params: params.to_vec(),
            variables: parser.used,
        })
    }

    /// The text the formula was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Free parameter names, in the order of the `params` slice of [`Formula::eval`].
    pub fn params(&self) -> &[String] {
        &self.params
    }

    /// Variables the formula uses, in the order of the `vars` slice of [`Formula::eval`].
    pub fn variables(&self) -> &[String] {
        &self.variables
    }

    /// Value at `params` (one per declared parameter) and `vars` (one per used variable).
    /// Domain errors (log of a negative number, 0/0) give NaN or ±∞ as IEEE arithmetic does;
    /// callers decide what a non-finite value means.
    pub fn eval(&self, params: &[f64], vars: &[f64]) -> f64 {
        let mut stack = [0.0f64; STACK];
        let mut top = 0usize;
        for op in &self.code {
            match *op {
                Op::Num(v) => {
                    stack[top] = v;
                    top += 1;
                }
                Op::Param(i) => {
                    stack[top] = params[i as usize];
                    top += 1;
                }
                Op::Var(i) => {
                    stack[top] = vars[i as usize];
                    top += 1;
                }
                Op::Neg => stack[top - 1] = -stack[top - 1],
                Op::Bin(b) => {
                    top -= 1;
                    stack[top - 1] = apply_bin(b, stack[top - 1], stack[top]);
                }
                Op::Call(f) => {
                    if f.arity() == 1 {
                        stack[top - 1] = apply_unary(f, stack[top - 1]);
                    } else {
                        top -= 1;
                        stack[top - 1] = apply_binary_fn(f, stack[top - 1], stack[top]);
                    }
                }
            }
        }
        stack[0]
    }

    /// Value and gradient with respect to the parameters (forward mode; `grad.len()` must be
    /// the number of parameters). `scratch` is reused between calls to avoid allocation.
    pub fn eval_grad(
        &self,
        params: &[f64],
        vars: &[f64],
        grad: &mut [f64],
        scratch: &mut Vec<f64>,
    ) -> f64 {
        let k = self.params.len();
        let w = k + 1;
        scratch.clear();
        scratch.resize(STACK * w, 0.0);
        let s = scratch.as_mut_slice();
        let mut top = 0usize;
        for op in &self.code {
            match *op {
                Op::Num(_) | Op::Param(_) | Op::Var(_) => {
                    let slot = &mut s[top * w..(top + 1) * w];
                    slot.fill(0.0);
                    slot[0] = match *op {
                        Op::Num(v) => v,
                        Op::Param(i) => {
                            slot[1 + i as usize] = 1.0;
                            params[i as usize]
                        }
                        Op::Var(i) => vars[i as usize],
                        _ => unreachable!(),
                    };
                    top += 1;
                }
                Op::Neg => {
                    for x in &mut s[(top - 1) * w..top * w] {
                        *x = -*x;
                    }
                }
                Op::Bin(b) => {
                    top -= 1;
                    let (lo, hi) = s.split_at_mut(top * w);
                    let a = &mut lo[(top - 1) * w..];
                    let bb = &hi[..w];
                    bin_grad(b, a, bb);
                }
                Op::Call(f) => {
                    if f.arity() == 1 {
                        let a = &mut s[(top - 1) * w..top * w];
                        let x = a[0];
                        let v = apply_unary(f, x);
                        let dv = match f {
                            Func::Exp => v,
                            Func::Log => 1.0 / x,
                            Func::Sqrt => 0.5 / v,
                            _ => unreachable!(),
                        };
                        a[0] = v;
                        for g in &mut a[1..] {
                            *g *= dv;
                        }
                    } else {
                        top -= 1;
                        let (lo, hi) = s.split_at_mut(top * w);
                        let a = &mut lo[(top - 1) * w..];
                        let bb = &hi[..w];
                        match f {
                            Func::Pow => bin_grad(BinOp::Pow, a, bb),
                            Func::Min | Func::Max => {
                                // As f64::min/max: a NaN argument yields the other one.
                                let take_b = a[0].is_nan()
                                    || if f == Func::Min {
                                        bb[0] < a[0]
                                    } else {
                                        bb[0] > a[0]
                                    };
                                if take_b {
                                    a.copy_from_slice(bb);
                                }
                            }
                            _ => unreachable!(),
                        }
                    }
                }
            }
        }
        grad.copy_from_slice(&s[1..w]);
        s[0]
    }

    /// Canonical ASCII text: minimal parentheses, numbers printed so they parse back exactly.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.write(&self.expr, &mut out, false);
        out
    }

    /// The same with `·` for multiplication and `−` for minus, for display.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&self.expr, &mut out, true);
        out
    }

    fn name_of(&self, e: &Expr) -> Option<&str> {
        match e {
            Expr::Param(i) => Some(&self.params[*i]),
            Expr::Var(i) => Some(&self.variables[*i]),
            _ => None,
        }
    }

    fn write(&self, e: &Expr, out: &mut String, pretty: bool) {
        match e {
            Expr::Num(v) => out.push_str(&format!("{v:?}")),
            Expr::Param(_) | Expr::Var(_) => out.push_str(self.name_of(e).unwrap_or("?")),
            Expr::Neg(a) => {
                out.push_str(if pretty { "−" } else { "-" });
                // `-a*b` parses as `(-a)*b`, so products and sums under a sign keep parentheses.
                self.write_paren(a, out, pretty, precedence(a) < 3);
            }
            Expr::Bin(op, a, b) => {
                let p = bin_precedence(*op);
                let (left_paren, right_paren) = if *op == BinOp::Pow {
                    // Right-associative; the exponent is a `unary`, so a sign needs nothing.
                    (
                        precedence(a) <= p,
                        precedence(b) < p && !matches!(**b, Expr::Neg(_)),
                    )
                } else {
                    (precedence(a) < p, precedence(b) <= p)
                };
                self.write_paren(a, out, pretty, left_paren);
                let sym = match (op, pretty) {
                    (BinOp::Add, _) => " + ",
                    (BinOp::Sub, false) => " - ",
                    (BinOp::Sub, true) => " − ",
                    (BinOp::Mul, false) => "*",
                    (BinOp::Mul, true) => "·",
                    (BinOp::Div, _) => "/",
                    (BinOp::Pow, _) => "^",
                };
                out.push_str(sym);
                self.write_paren(b, out, pretty, right_paren);
            }
            Expr::Call(f, args) => {
                out.push_str(f.name());
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(a, out, pretty);
                }
                out.push(')');
            }
        }
    }

    fn write_paren(&self, e: &Expr, out: &mut String, pretty: bool, paren: bool) {
        if paren {
            out.push('(');
        }
        self.write(e, out, pretty);
        if paren {
            out.push(')');
        }
    }
}

impl fmt::Display for Formula {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Binding strength for printing: sums 1, products 2, unary minus 3, powers 4, atoms 5.
fn precedence(e: &Expr) -> u8 {
    match e {
        Expr::Bin(op, ..) => bin_precedence(*op),
        Expr::Neg(_) => 3,
        // A negative literal prints with its sign, so it binds like unary minus.
        Expr::Num(v) if v.is_sign_negative() => 3,
        _ => 5,
    }
}

fn bin_precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Add | BinOp::Sub => 1,
        BinOp::Mul | BinOp::Div => 2,
        BinOp::Pow => 4,
    }
}

#[inline]
fn apply_bin(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => a.powf(b),
    }
}

#[inline]
fn apply_unary(f: Func, a: f64) -> f64 {
    match f {
        Func::Exp => a.exp(),
        Func::Log => a.ln(),
        Func::Sqrt => a.sqrt(),
        _ => unreachable!(),
    }
}

#[inline]
fn apply_binary_fn(f: Func, a: f64, b: f64) -> f64 {
    match f {
        Func::Pow => a.powf(b),
        Func::Min => a.min(b),
        Func::Max => a.max(b),
        _ => unreachable!(),
    }
}

/// `a ← a op b` on (value, gradient) slots.
fn bin_grad(op: BinOp, a: &mut [f64], b: &[f64]) {
    let (x, y) = (a[0], b[0]);
    match op {
        BinOp::Add => {
            for (g, h) in a.iter_mut().zip(b) {
                *g += h;
            }
        }
        BinOp::Sub => {
            for (g, h) in a.iter_mut().zip(b) {
                *g -= h;
            }
        }
        BinOp::Mul => {
            a[0] = x * y;
            for (g, h) in a[1..].iter_mut().zip(&b[1..]) {
                *g = *g * y + x * h;
            }
        }
        BinOp::Div => {
            let v = x / y;
            a[0] = v;
            for (g, h) in a[1..].iter_mut().zip(&b[1..]) {
                *g = (*g - v * h) / y;
            }
        }
        BinOp::Pow => {
            let v = x.powf(y);
            let exponent_moves = b[1..].iter().any(|h| *h != 0.0);
            // d(x^y) = y·x^(y−1)·dx + x^y·ln(x)·dy; the ln term only when y moves, so that a
            // negative base with a constant exponent keeps a finite derivative.
            let dx = if x == 0.0 && y == 1.0 {
                1.0
            } else {
                y * x.powf(y - 1.0)
            };
            let ln_x = if exponent_moves { x.ln() } else { 0.0 };
            a[0] = v;
            for (g, h) in a[1..].iter_mut().zip(&b[1..]) {
                let dy = if *h != 0.0 { v * ln_x * h } else { 0.0 };
                *g = dx * *g + dy;
            }
        }
    }
}

fn compile(e: &Expr, code: &mut Vec<Op>) {
    match e {
        Expr::Num(v) => code.push(Op::Num(*v)),
        Expr::Param(i) => code.push(Op::Param(*i as u32)),
        Expr::Var(i) => code.push(Op::Var(*i as u32)),
        Expr::Neg(a) => {
            compile(a, code);
            code.push(Op::Neg);
        }
        Expr::Bin(op, a, b) => {
            compile(a, code);
            compile(b, code);
            code.push(Op::Bin(*op));
        }
        Expr::Call(f, args) => {
            for a in args {
                compile(a, code);
            }
            code.push(Op::Call(*f));
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Name(String),
    Sym(char),
    Power,
}

/// A token and the 1-based character position where it starts.
type Token = (Tok, usize);

fn tokenize(chars: &[char]) -> Result<Vec<Token>, FormulaError> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let v: f64 = text.parse().map_err(|_| {
                error(
                    Some(pos),
                    format!("'{text}' at position {pos} is not a number"),
                )
            })?;
            if !v.is_finite() {
                return Err(error(
                    Some(pos),
                    format!("number '{text}' at position {pos} is out of range"),
                ));
            }
            out.push((Tok::Num(v), pos));
        } else if is_name_start(c) {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            out.push((Tok::Name(chars[start..i].iter().collect()), pos));
        } else if c == '*' && chars.get(i + 1) == Some(&'*') {
            out.push((Tok::Power, pos));
            i += 2;
        } else {
            let sym = match c {
                '×' | '·' => '*',
                '−' => '-',
                _ => c,
            };
            if !"+-*/^(),=".contains(sym) {
                return Err(error(
                    Some(pos),
                    format!("unexpected '{c}' at position {pos}"),
                ));
            }
            out.push((
                if sym == '^' {
                    Tok::Power
                } else {
                    Tok::Sym(sym)
                },
                pos,
            ));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    depth: usize,
    params: &'a [String],
    variables: &'a [&'a str],
    used: Vec<String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at).map(|t| &t.0)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(0, |t| t.1)
    }

    fn unexpected(&self) -> FormulaError {
        match self.tokens.get(self.at) {
            None => error(None, "unexpected end of formula".to_string()),
            Some((tok, pos)) => {
                let shown = match tok {
                    Tok::Num(v) => format!("{v}"),
                    Tok::Name(n) => n.clone(),
                    Tok::Sym(c) => c.to_string(),
                    Tok::Power => "^".to_string(),
                };
                error(
                    Some(*pos),
                    format!("unexpected '{shown}' at position {pos}"),
                )
            }
        }
    }

    fn formula(&mut self) -> Result<Expr, FormulaError> {
        if self.tokens.is_empty() {
            return Err(error(None, "is empty".to_string()));
        }
        if matches!(self.peek(), Some(Tok::Name(_)))
            && matches!(self.tokens.get(1), Some((Tok::Sym('='), _)))
        {
            self.at = 2;
        }
        let e = self.sum()?;
        if self.at < self.tokens.len() {
            return Err(self.unexpected());
        }
        Ok(e)
    }

    /// Every recursion passes through `unary`, which counts its depth here.
    fn enter(&mut self) -> Result<(), FormulaError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            let pos = self.position();
            return Err(error(
                Some(pos),
                format!("too deeply nested at position {pos} (limit {MAX_NESTING})"),
            ));
        }
        Ok(())
    }

    fn sum(&mut self) -> Result<Expr, FormulaError> {
        let mut e = self.product()?;
        while let Some(Tok::Sym(c @ ('+' | '-'))) = self.peek() {
            let op = if *c == '+' { BinOp::Add } else { BinOp::Sub };
            self.at += 1;
            let rhs = self.product()?;
            e = Expr::Bin(op, Box::new(e), Box::new(rhs));
        }
        Ok(e)
    }

    fn product(&mut self) -> Result<Expr, FormulaError> {
        let mut e = self.unary()?;
        while let Some(Tok::Sym(c @ ('*' | '/'))) = self.peek() {
            let op = if *c == '*' { BinOp::Mul } else { BinOp::Div };
            self.at += 1;
            let rhs = self.unary()?;
            e = Expr::Bin(op, Box::new(e), Box::new(rhs));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, FormulaError> {
        self.enter()?;
        let e = match self.peek() {
            Some(Tok::Sym('-')) => {
                self.at += 1;
                Expr::Neg(Box::new(self.unary()?))
            }
            Some(Tok::Sym('+')) => {
                self.at += 1;
                self.unary()?
            }
            _ => self.power()?,
        };
        self.depth -= 1;
        Ok(e)
    }

    fn power(&mut self) -> Result<Expr, FormulaError> {
        let base = self.atom()?;
        if let Some(Tok::Power) = self.peek() {
            self.at += 1;
            let exponent = self.unary()?;
            return Ok(Expr::Bin(BinOp::Pow, Box::new(base), Box::new(exponent)));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, FormulaError> {
        let Some((tok, pos)) = self.tokens.get(self.at) else {
            return Err(self.unexpected());
        };
        let pos = *pos;
        match tok {
            Tok::Num(v) => {
                self.at += 1;
                Ok(Expr::Num(*v))
            }
            Tok::Sym('(') => {
                self.at += 1;
                let e = self.sum()?;
                self.close(pos)?;
                Ok(e)
            }
            Tok::Name(name) => {
                self.at += 1;
                let call = matches!(self.peek(), Some(Tok::Sym('(')));
                if let Some(i) = self.params.iter().position(|p| p == name) {
                    if call {
                        return Err(error(
                            Some(pos),
                            format!("'{name}' at position {pos} is a parameter, not a function"),
                        ));
                    }
                    return Ok(Expr::Param(i));
                }
                if let Some(f) = Func::lookup(name) {
                    if !call {
                        return Err(error(
                            Some(pos),
                            format!("function '{name}' at position {pos} needs its arguments in parentheses"),
                        ));
                    }
                    return self.call(f, name, pos);
                }
                if call {
                    let names: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
                    return Err(error(
                        Some(pos),
                        format!(
                            "unknown function '{name}' at position {pos} (functions: {})",
                            names.join(", ")
                        ),
                    ));
                }
                if self.variables.contains(&name.as_str()) {
                    let i = match self.used.iter().position(|u| u == name) {
                        Some(i) => i,
                        None => {
                            self.used.push(name.clone());
                            self.used.len() - 1
                        }
                    };
                    return Ok(Expr::Var(i));
                }
                Err(error(
                    Some(pos),
                    format!(
                        "unknown name '{name}' at position {pos}: declare it as a free parameter or use a variable ({})",
                        self.variables.join(", ")
                    ),
                ))
            }
            _ => Err(self.unexpected()),
        }
    }

    fn call(&mut self, f: Func, name: &str, pos: usize) -> Result<Expr, FormulaError> {
        let open = self.position();
        self.at += 1;
        let mut args = vec![self.sum()?];
        while let Some(Tok::Sym(',')) = self.peek() {
            self.at += 1;
            args.push(self.sum()?);
        }
        self.close(open)?;
        if args.len() != f.arity() {
            return Err(error(
                Some(pos),
                format!(
                    "function '{name}' at position {pos} takes {} argument{}, found {}",
                    f.arity(),
                    if f.arity() == 1 { "" } else { "s" },
                    args.len()
                ),
            ));
        }
        Ok(Expr::Call(f, args))
    }

    fn close(&mut self, open: usize) -> Result<(), FormulaError> {
        match self.peek() {
            Some(Tok::Sym(')')) => {
                self.at += 1;
                Ok(())
            }
            None => Err(error(
                Some(open),
                format!("missing ')' for the '(' at position {open}"),
            )),
            Some(_) => Err(self.unexpected()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &str) -> Vec<String> {
        parse_param_list(list).unwrap()
    }

    fn parse(text: &str) -> Result<Formula, FormulaError> {
        Formula::parse(text, &names("E, A, B, alpha, beta"), &["N", "D"])
    }

    #[test]
    fn chinchilla_value_and_gradient_match_finite_differences() {
        let f = parse("L = E + A/N^alpha + B/D^beta").unwrap();
        assert_eq!(f.variables(), ["N", "D"]);
        let p = [1.82, 482.0, 2085.4, 0.348, 0.366];
        let x = [1e9, 2e10];
        let want = 1.82 + 482.0 / 1e9f64.powf(0.348) + 2085.4 / 2e10f64.powf(0.366);
        assert!((f.eval(&p, &x) - want).abs() < 1e-12);
        let mut g = [0.0; 5];
        let mut scratch = Vec::new();
        let v = f.eval_grad(&p, &x, &mut g, &mut scratch);
        assert_eq!(v, f.eval(&p, &x));
        for i in 0..5 {
            let h = 1e-6 * p[i];
            let (mut up, mut dn) = (p, p);
            up[i] += h;
            dn[i] -= h;
            let fd = (f.eval(&up, &x) - f.eval(&dn, &x)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() <= 1e-6 * fd.abs().max(1e-9),
                "{i}: {} vs {fd}",
                g[i]
            );
        }
    }

    #[test]
    fn functions_and_precedence() {
        let p = [0.0, 2.0, 3.0, 0.5, 0.0];
        let e = |s: &str| parse(s).unwrap().eval(&p, &[4.0, 9.0]);
        assert_eq!(e("-A^2"), -4.0);
        assert_eq!(e("A^B^alpha"), 2f64.powf(3f64.powf(0.5)));
        assert_eq!(e("2**3"), 8.0);
        assert_eq!(
            e("sqrt(N) + log(exp(B)) + pow(A, B) + min(A, B) + max(A, B)"),
            2.0 + 3.0 + 8.0 + 2.0 + 3.0
        );
        assert_eq!(e("A × B · 2 − 1"), 11.0);
        assert_eq!(e("N/A/A"), 1.0);
        assert_eq!(e("A^-1"), 0.5);
    }

    #[test]
    fn messages_point_at_the_character() {
        let msg = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("E + A/(N^alpha))"),
            "formula: unexpected ')' at position 16"
        );
        assert_eq!(msg("E + "), "formula: unexpected end of formula");
        assert_eq!(msg(""), "formula: is empty");
        assert_eq!(
            msg("E + (A"),
            "formula: missing ')' for the '(' at position 5"
        );
        assert_eq!(
            msg("E + x"),
            "formula: unknown name 'x' at position 5: declare it as a free parameter or use a variable (N, D)"
        );
        assert_eq!(
            msg("foo(N)"),
            "formula: unknown function 'foo' at position 1 (functions: exp, log, sqrt, pow, min, max)"
        );
        assert_eq!(
            msg("pow(N)"),
            "formula: function 'pow' at position 1 takes 2 arguments, found 1"
        );
        assert_eq!(
            msg("exp + 1"),
            "formula: function 'exp' at position 1 needs its arguments in parentheses"
        );
        assert_eq!(
            msg("A(N)"),
            "formula: 'A' at position 1 is a parameter, not a function"
        );
        assert_eq!(msg("E $ A"), "formula: unexpected '$' at position 3");
        assert_eq!(
            msg("1e999"),
            "formula: number '1e999' at position 1 is out of range"
        );
        assert_eq!(
            msg("1.2.3"),
            "formula: '1.2.3' at position 1 is not a number"
        );
        let deep = "(".repeat(60) + "1" + &")".repeat(60);
        assert_eq!(
            msg(&deep),
            "formula: too deeply nested at position 49 (limit 48)"
        );
    }

    #[test]
    fn parameter_lists() {
        assert_eq!(names("E, A  B,alpha"), ["E", "A", "B", "alpha"]);
        let msg = |s: &str| parse_param_list(s).unwrap_err().to_string();
        assert_eq!(
            msg("A, A"),
            "formula: parameter list: 'A' is declared twice"
        );
        assert_eq!(
            msg("1a"),
            "formula: parameter list: '1a' is not a name (letters, digits and _, not starting with a digit)"
        );
        assert_eq!(
            msg("exp"),
            "formula: parameter list: 'exp' is a function name"
        );
    }

    #[test]
    fn printing_parses_back() {
        for s in [
            "-(A + B)^2",
            "(-A)^B",
            "A - (B - N)",
            "A/(B*N)",
            "(A^B)^N",
            "A^-B^-N",
            "-A*B",
            "2.5e-7*N",
        ] {
            let f = parse(s).unwrap();
            let g = parse(&f.canonical()).unwrap();
            assert_eq!(f.expr(), g.expr(), "{s} -> {}", f.canonical());
            let h = parse(&f.pretty()).unwrap();
            assert_eq!(f.expr(), h.expr(), "{s} -> {}", f.pretty());
        }
    }
}

#[cfg(test)]
mod property_tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::{Rng, SeedableRng};

    const PARAMS: [&str; 3] = ["A", "alpha", "B_2"];
    const VARS: [&str; 2] = ["N", "d_m"];

    fn params() -> Vec<String> {
        PARAMS.map(String::from).to_vec()
    }

    fn space(rng: &mut SmallRng) -> &'static str {
        [""; 3]
            .into_iter()
            .chain([" ", "  ", "\t"])
            .nth(rng.random_range(0..6))
            .unwrap()
    }

    /// A random well-formed formula in loose style: spaces, redundant parentheses, aliases.
    fn random_formula(rng: &mut SmallRng, depth: u32) -> String {
        let leaf = depth == 0 || rng.random_bool(0.3);
        if leaf {
            return match rng.random_range(0..4) {
                0 => format!(
                    "{}",
                    rng.random_range(0..1000) as f64 / [1.0, 10.0, 1000.0][rng.random_range(0..3)]
                ),
                1 => format!("{}e{}", rng.random_range(1..10), rng.random_range(-3..4)),
                2 => PARAMS[rng.random_range(0..3)].to_string(),
                _ => VARS[rng.random_range(0..2)].to_string(),
            };
        }
        let a = random_formula(rng, depth - 1);
        let s = space(rng);
        match rng.random_range(0..12) {
            0 => format!("-{a}"),
            1 => format!("({s}{a}{s})"),
            2 => {
                let f = ["exp", "log", "ln", "sqrt"][rng.random_range(0..4)];
                format!("{f}({a})")
            }
            3 => {
                let f = ["pow", "min", "max"][rng.random_range(0..3)];
                format!("{f}({a},{s}{})", random_formula(rng, depth - 1))
            }
            _ => {
                let op = ["+", "-", "*", "/", "^", "**", "×", "·", "−"][rng.random_range(0..9)];
                format!("{a}{s}{op}{s}{}", random_formula(rng, depth - 1))
            }
        }
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn printed_formulas_parse_back_to_the_same_tree_and_value() {
        let mut rng = SmallRng::seed_from_u64(20260210);
        let p = [1.7, 0.35, 2.5];
        let x = [3.0e9, 640.0];
        for _ in 0..5_000 {
            let text = random_formula(&mut rng, 5);
            let f =
                Formula::parse(&text, &params(), &VARS).unwrap_or_else(|e| panic!("{text}: {e}"));
            let canonical = f.canonical();
            let g = Formula::parse(&canonical, &params(), &VARS).unwrap();
            assert_eq!(g.canonical(), canonical, "{text}");
            assert!(
                same(f.eval(&p, &x), g.eval(&p, &x)),
                "{text} -> {canonical}"
            );
            let h = Formula::parse(&f.pretty(), &params(), &VARS).unwrap();
            assert_eq!(h.canonical(), canonical, "{text}");
            // Forward-mode value equals the plain evaluation.
            let mut grad = [0.0; 3];
            let v = f.eval_grad(&p, &x, &mut grad, &mut Vec::new());
            assert!(same(v, f.eval(&p, &x)), "{text}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        let alphabet: Vec<char> = "0123456789.eE+-*/^(),= \tANalphB_2dm_xpolgsqrtinm×·−$é\"'#"
            .chars()
            .collect();
        let mut rng = SmallRng::seed_from_u64(7);
        let p = [1.0, 2.0, 3.0];
        let mut parsed = 0;
        for _ in 0..100_000 {
            let len = rng.random_range(0..40);
            let text: String = (0..len)
                .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                .collect();
            if let Ok(f) = Formula::parse(&text, &params(), &VARS) {
                parsed += 1;
                let x = vec![2.0; f.variables().len()];
                f.eval(&p, &x);
                f.eval_grad(&p, &x, &mut [0.0; 3], &mut Vec::new());
            }
        }
        assert!(parsed > 0, "the generator should hit some valid formulas");
    }
}
