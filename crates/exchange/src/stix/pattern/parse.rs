//! The recursive-descent parser over the tokens of `lex.rs`, one method per grammar rule.

use super::lex::{Tok, Token};
use super::{
    Comparison, Literal, ObjectPath, Observation, Op, PatternError, Qualifier, Step, Test,
    valid_type_name,
};

pub(super) struct Parser<'a> {
    pub toks: &'a [Token],
    pub i: usize,
    pub end: usize,
}

impl<'a> Parser<'a> {
    pub(super) fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.i)
    }

    fn at(&self) -> usize {
        self.peek().map_or(self.end, |t| t.at)
    }

    pub(super) fn err_at(&self, at: usize, reason: String) -> PatternError {
        PatternError { offset: at, reason }
    }

    fn unexpected(&self, wanted: &str) -> PatternError {
        match self.peek() {
            Some(t) => self.err_at(t.at, format!("expected {wanted}, found {}", t.tok)),
            None => self.err_at(self.end, format!("expected {wanted}, found the end")),
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Ident(s), .. }) if s == kw)
    }

    fn is_sym(&self, sym: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Sym(s), .. }) if *s == sym)
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let yes = self.is_kw(kw);
        self.i += usize::from(yes);
        yes
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        let yes = self.is_sym(sym);
        self.i += usize::from(yes);
        yes
    }

    fn expect_sym(&mut self, sym: &str) -> Result<(), PatternError> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("{sym:?}")))
        }
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), PatternError> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(self.unexpected(kw))
        }
    }

    pub(super) fn observations(&mut self) -> Result<Observation, PatternError> {
        let mut left = self.obs_or()?;
        while self.eat_kw("FOLLOWEDBY") {
            let right = self.obs_or()?;
            left = Observation::FollowedBy(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn obs_or(&mut self) -> Result<Observation, PatternError> {
        let mut left = self.obs_and()?;
        while self.eat_kw("OR") {
            let right = self.obs_and()?;
            left = Observation::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn obs_and(&mut self) -> Result<Observation, PatternError> {
        let mut left = self.obs_qualified()?;
        while self.eat_kw("AND") {
            let right = self.obs_qualified()?;
            left = Observation::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn obs_qualified(&mut self) -> Result<Observation, PatternError> {
        let mut obs = if self.eat_sym("[") {
            let c = self.cmp_or()?;
            self.expect_sym("]")?;
            Observation::Simple(c)
        } else if self.eat_sym("(") {
            let o = self.observations()?;
            self.expect_sym(")")?;
            o
        } else {
            return Err(self.unexpected("\"[\" or \"(\" (an observation)"));
        };
        loop {
            let q = if self.eat_kw("WITHIN") {
                let at = self.at();
                let secs = match self.peek().map(|t| &t.tok) {
                    Some(Tok::Int(n)) if *n > 0 => *n as f64,
                    Some(Tok::Float(f)) if *f > 0.0 => *f,
                    _ => return Err(self.err_at(at, "WITHIN needs a positive number".into())),
                };
                self.i += 1;
                self.expect_kw("SECONDS")?;
                Qualifier::Within(secs)
            } else if self.eat_kw("REPEATS") {
                let at = self.at();
                let n = match self.peek().map(|t| &t.tok) {
                    Some(Tok::Int(n)) if *n > 0 => *n as u64,
                    _ => return Err(self.err_at(at, "REPEATS needs a positive integer".into())),
                };
                self.i += 1;
                self.expect_kw("TIMES")?;
                Qualifier::Repeats(n)
            } else if self.eat_kw("START") {
                let a = self.timestamp()?;
                self.expect_kw("STOP")?;
                let b = self.timestamp()?;
                Qualifier::StartStop(a, b)
            } else {
                break;
            };
            obs = Observation::Qualified(Box::new(obs), q);
        }
        Ok(obs)
    }

    fn timestamp(&mut self) -> Result<String, PatternError> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Timestamp(s)) => {
                self.i += 1;
                Ok(s.clone())
            }
            _ => Err(self.unexpected("a timestamp literal t'…'")),
        }
    }

    fn cmp_or(&mut self) -> Result<Comparison, PatternError> {
        let mut left = self.cmp_and()?;
        while self.eat_kw("OR") {
            let right = self.cmp_and()?;
            left = Comparison::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn cmp_and(&mut self) -> Result<Comparison, PatternError> {
        let mut left = self.cmp_test()?;
        while self.eat_kw("AND") {
            let right = self.cmp_test()?;
            left = Comparison::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn cmp_test(&mut self) -> Result<Comparison, PatternError> {
        if self.eat_sym("(") {
            let c = self.cmp_or()?;
            self.expect_sym(")")?;
            return Ok(c);
        }
        if self.eat_kw("EXISTS") {
            return Ok(Comparison::Exists(self.path()?));
        }
        let path = self.path()?;
        let negated = self.eat_kw("NOT");
        let op_at = self.at();
        let op = match self.peek().map(|t| &t.tok) {
            Some(Tok::Sym("=" | "==")) => Op::Eq,
            Some(Tok::Sym("!=" | "<>")) => Op::Ne,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            Some(Tok::Ident(k)) => match k.as_str() {
                "IN" => Op::In,
                "LIKE" => Op::Like,
                "MATCHES" => Op::Matches,
                "ISSUBSET" => Op::IsSubset,
                "ISSUPERSET" => Op::IsSuperset,
                _ => return Err(self.unexpected("a comparison operator")),
            },
            _ => return Err(self.unexpected("a comparison operator")),
        };
        self.i += 1;
        let val_at = self.at();
        let value = if op == Op::In {
            self.set()?
        } else {
            self.literal()?
        };
        let ok = match op {
            Op::Eq | Op::Ne => !matches!(value, Literal::Set(_)),
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                !matches!(value, Literal::Set(_) | Literal::Bool(_))
            }
            Op::In => true,
            Op::Like | Op::Matches | Op::IsSubset | Op::IsSuperset => {
                matches!(value, Literal::Str(_))
            }
        };
        if !ok {
            return Err(self.err_at(
                val_at,
                match op {
                    Op::Like | Op::Matches | Op::IsSubset | Op::IsSuperset => {
                        format!("{} needs a string", op.keyword())
                    }
                    _ => format!("{} cannot compare with this kind of value", op.keyword()),
                },
            ));
        }
        let _ = op_at;
        Ok(Comparison::Test(Test {
            path,
            negated,
            op,
            value,
        }))
    }

    fn set(&mut self) -> Result<Literal, PatternError> {
        self.expect_sym("(")?;
        let mut items = Vec::new();
        if !self.eat_sym(")") {
            loop {
                let v = self.literal()?;
                items.push(v);
                if self.eat_sym(")") {
                    break;
                }
                self.expect_sym(",")?;
            }
        }
        Ok(Literal::Set(items))
    }

    fn literal(&mut self) -> Result<Literal, PatternError> {
        let lit = match self.peek().map(|t| &t.tok) {
            Some(Tok::Str(s)) => Literal::Str(s.clone()),
            Some(Tok::Int(n)) => Literal::Int(*n),
            Some(Tok::Float(f)) => Literal::Float(*f),
            Some(Tok::Hex(h)) => Literal::Hex(h.clone()),
            Some(Tok::Binary(h)) => Literal::Binary(h.clone()),
            Some(Tok::Timestamp(h)) => Literal::Timestamp(h.clone()),
            Some(Tok::Ident(k)) if k == "true" => Literal::Bool(true),
            Some(Tok::Ident(k)) if k == "false" => Literal::Bool(false),
            _ => return Err(self.unexpected("a literal value")),
        };
        self.i += 1;
        Ok(lit)
    }

    fn path(&mut self) -> Result<ObjectPath, PatternError> {
        let at = self.at();
        let object_type = match self.peek().map(|t| &t.tok) {
            Some(Tok::Ident(s)) => s.clone(),
            _ => return Err(self.unexpected("an object path (type:property)")),
        };
        if !valid_type_name(&object_type) {
            return Err(self.err_at(at, format!("{object_type:?} is not a valid object type")));
        }
        self.i += 1;
        self.expect_sym(":")?;
        let mut steps = vec![Step::Prop(self.path_part()?)];
        loop {
            if self.eat_sym(".") {
                steps.push(Step::Prop(self.path_part()?));
            } else if self.eat_sym("[") {
                let step = match self.peek().map(|t| &t.tok) {
                    Some(Tok::Int(n)) => Step::Index(*n),
                    Some(Tok::Sym("*")) => Step::Any,
                    _ => return Err(self.unexpected("a list index or \"*\"")),
                };
                self.i += 1;
                self.expect_sym("]")?;
                steps.push(step);
            } else {
                break;
            }
        }
        Ok(ObjectPath { object_type, steps })
    }

    fn path_part(&mut self) -> Result<String, PatternError> {
        let at = self.at();
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Ident(s)) => {
                // Unquoted property names have no hyphen in the grammar (`hashes.'SHA-256'`).
                if s.contains('-') {
                    return Err(
                        self.err_at(at, format!("property {s:?} has a hyphen: quote it ('{s}')"))
                    );
                }
                self.i += 1;
                Ok(s.clone())
            }
            Some(Tok::Str(s)) => {
                self.i += 1;
                Ok(s.clone())
            }
            _ => Err(self.unexpected("a property name")),
        }
    }
}
