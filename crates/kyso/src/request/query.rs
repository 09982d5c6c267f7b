//! Requests from `name=value` pairs (a URL query, form fields): the same serde model as the
//! JSON of the C ABI, read from text. Names may be written with `-` (as the command line's
//! flags) or `_` (as the fields); a switch is `""`, `1`, `true`, `yes` or `0`, `false`, `no`; a
//! list is the name repeated; an empty value of an optional field is no value. A name given
//! twice for a single value is an error naming it.

use serde::de::value::{SeqDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, Visitor};

use crate::Error;

type Result<T, E = Error> = std::result::Result<T, E>;

/// Reads `T` (a [`SignRequest`](super::SignRequest) or [`VerifyRequest`](super::VerifyRequest))
/// from `pairs`. Unknown names are refused (the requests deny unknown fields).
///
/// # Errors
///
/// [`Error::InvalidArgument`] naming the field: an unknown name, a name given twice for a
/// single value, a value that is not of the field's type (a switch that is not one of the
/// words above, a number that does not parse).
pub fn from_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T> {
    // Repeated names gathered in order of first appearance.
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in pairs {
        let k = k.replace('-', "_");
        match fields.iter_mut().find(|(n, _)| *n == k) {
            Some((_, vs)) => vs.push(v.clone()),
            None => fields.push((k, vec![v.clone()])),
        }
    }
    T::deserialize(Fields {
        fields: fields.into_iter(),
        current: None,
    })
    .map_err(|e: QueryError| Error::InvalidArgument(e.0))
}

#[derive(Debug)]
struct QueryError(String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

impl de::Error for QueryError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        QueryError(msg.to_string())
    }
}

struct Fields {
    fields: std::vec::IntoIter<(String, Vec<String>)>,
    current: Option<(String, Vec<String>)>,
}

impl<'de> de::Deserializer<'de> for Fields {
    type Error = QueryError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        visitor.visit_map(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> MapAccess<'de> for Fields {
    type Error = QueryError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, QueryError> {
        match self.fields.next() {
            None => Ok(None),
            Some((name, values)) => {
                let key = seed.deserialize(name.clone().into_deserializer())?;
                self.current = Some((name, values));
                Ok(Some(key))
            }
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, QueryError> {
        let (name, values) = self
            .current
            .take()
            .ok_or_else(|| QueryError("a value without a name".into()))?;
        seed.deserialize(Value { name, values })
    }
}

/// The values given for one name.
struct Value {
    name: String,
    values: Vec<String>,
}

impl Value {
    fn one(self) -> Result<(String, String), QueryError> {
        let Value { name, mut values } = self;
        if values.len() != 1 {
            return Err(QueryError(format!("{name} is given more than once")));
        }
        let v = values.remove(0);
        Ok((name, v))
    }

    fn number<T: std::str::FromStr>(self) -> Result<T, QueryError> {
        let (name, v) = self.one()?;
        v.trim()
            .parse()
            .map_err(|_| QueryError(format!("{name}: {v:?} is not a number")))
    }
}

macro_rules! numbers {
    ($($method:ident $visit:ident $t:ty),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
            visitor.$visit(self.number::<$t>()?)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = QueryError;

    /// Text, or a list when the name is repeated (a "URL or list of URLs" field).
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        if self.values.len() == 1 {
            self.deserialize_string(visitor)
        } else {
            self.deserialize_seq(visitor)
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let (name, v) = self.one()?;
        match v.as_str() {
            "" | "1" | "true" | "yes" => visitor.visit_bool(true),
            "0" | "false" | "no" => visitor.visit_bool(false),
            _ => Err(QueryError(format!(
                "{name} is a switch: give true or false, not {v:?}"
            ))),
        }
    }

    numbers!(
        deserialize_i8 visit_i8 i8, deserialize_i16 visit_i16 i16,
        deserialize_i32 visit_i32 i32, deserialize_i64 visit_i64 i64,
        deserialize_u8 visit_u8 u8, deserialize_u16 visit_u16 u16,
        deserialize_u32 visit_u32 u32, deserialize_u64 visit_u64 u64,
        deserialize_f32 visit_f32 f32, deserialize_f64 visit_f64 f64
    );

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let (_, v) = self.one()?;
        visitor.visit_string(v)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        self.deserialize_string(visitor)
    }

    /// An empty value is no value, as an empty form field (`reason=`); a switch is no option,
    /// and `no-text=` turns it on.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        if self.values.len() == 1 && self.values[0].is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, QueryError> {
        let items: Vec<StringDeserializer<QueryError>> = self
            .values
            .into_iter()
            .map(IntoDeserializer::into_deserializer)
            .collect();
        visitor.visit_seq(SeqDeserializer::new(items.into_iter()))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, QueryError> {
        let (_, v) = self.one()?;
        visitor.visit_enum(v.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char bytes byte_buf unit unit_struct tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// The field names of a request type, as serde knows them (the JSON keys; the query names
/// with `_`): `fields_of::<SignRequest>()`.
pub fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Names(std::cell::Cell<&'static [&'static str]>);
    impl<'de> de::Deserializer<'de> for &Names {
        type Error = QueryError;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, QueryError> {
            Err(QueryError("not a struct".into()))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, QueryError> {
            self.0.set(fields);
            Err(QueryError("names only".into()))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let names = Names(std::cell::Cell::new(&[]));
    let _ = T::deserialize(&names);
    names.0.get()
}
