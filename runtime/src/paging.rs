//! Offset/limit pagination as a lazy stream, one page in memory at a time.

use super::error::Error;

/// Pages through an offset/limit listing lazily: the next page is requested only when the
/// previous one is consumed, and only one page is held at a time.
///
/// Stops on an empty or short page, or when `total` is reached; fails instead of looping when
/// the server returns the same page twice (it ignores the offset) or more items than its total.
pub fn offset_pages<'a, T, F, Fut>(
    page_size: u64,
    start: u64,
    fetch: F,
) -> impl futures_util::Stream<Item = Result<T, Error>> + Send + 'a
where
    T: PartialEq + Clone + Send + 'a,
    F: FnMut(u64, u64) -> Fut + Send + 'a,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<u64>), Error>> + Send + 'a,
{
    use futures_util::TryStreamExt;

    struct State<T, F> {
        fetch: F,
        offset: u64,
        done: bool,
        previous_first: Option<T>,
    }
    let page_size = page_size.max(1);
    let state = State {
        fetch,
        offset: start,
        done: false,
        previous_first: None,
    };
    futures_util::stream::try_unfold(state, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let (items, total) = (state.fetch)(state.offset, page_size).await?;
        if items.is_empty() {
            return Ok(None);
        }
        if state.previous_first.is_some() && state.previous_first.as_ref() == items.first() {
            return Err(Error::Pagination(format!(
                "the page at offset {} repeats the previous page; the server seems to ignore the offset",
                state.offset
            )));
        }
        let count = items.len() as u64;
        state.offset += count;
        if let Some(total) = total {
            if state.offset > total.max(start) + page_size {
                return Err(Error::Pagination(format!(
                    "the server returned {} items but reported a total of {total}",
                    state.offset
                )));
            }
        }
        state.done = count < page_size || total.is_some_and(|total| state.offset >= total);
        state.previous_first = items.first().cloned();
        let page = futures_util::stream::iter(items.into_iter().map(Ok::<T, Error>));
        Ok(Some((page, state)))
    })
    .try_flatten()
}

/// Collects a paged stream, failing once it yields more than `max_items`.
pub async fn collect_pages<T>(
    stream: impl futures_util::Stream<Item = Result<T, Error>>,
    max_items: usize,
) -> Result<Vec<T>, Error> {
    use futures_util::TryStreamExt;

    let mut stream = std::pin::pin!(stream);
    let mut items = Vec::new();
    while let Some(item) = stream.try_next().await? {
        if items.len() == max_items {
            return Err(Error::Pagination(format!(
                "more than {max_items} items; raise the limit or use the stream"
            )));
        }
        items.push(item);
    }
    Ok(items)
}

/// A page size or offset as the request's integer type, saturating.
pub fn page_number<T: TryFrom<u64>>(value: u64, max: T) -> T {
    T::try_from(value).unwrap_or(max)
}

#[cfg(test)]
mod tests {
    use futures_util::TryStreamExt;

    use super::*;

    #[tokio::test]
    async fn pages_are_fetched_until_a_short_page() {
        let mut requests = Vec::new();
        let items: Vec<u64> = offset_pages(2, 0, |offset, limit| {
            requests.push((offset, limit));
            async move { Ok(((offset..(offset + limit).min(5)).collect(), None)) }
        })
        .try_collect()
        .await
        .unwrap();
        assert_eq!(items, [0, 1, 2, 3, 4]);
        assert_eq!(requests, [(0, 2), (2, 2), (4, 2)]);
    }

    #[tokio::test]
    async fn a_server_ignoring_the_offset_is_an_error_not_a_loop() {
        let result: Result<Vec<u64>, Error> =
            offset_pages(2, 0, |_, _| async { Ok((vec![7, 8], None)) })
                .try_collect()
                .await;
        assert!(matches!(result, Err(Error::Pagination(_))), "{result:?}");
    }

    #[tokio::test]
    async fn collecting_stops_past_the_bound() {
        let stream = offset_pages(10, 0, |offset, _| async move {
            Ok(((offset..offset + 10).collect::<Vec<u64>>(), Some(100)))
        });
        assert!(matches!(
            collect_pages(stream, 15).await,
            Err(Error::Pagination(_))
        ));
        assert_eq!(page_number(u64::MAX, i32::MAX), i32::MAX);
    }
}
