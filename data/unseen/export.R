# Writes the unseen tables (data/unseen/*.csv) from the data sets that ship
# with Debian's R packages: r-base-core (datasets), r-cran-mass,
# r-cran-survival, r-cran-ggplot2.  Rerun: Rscript data/unseen/export.R
# (from the top of the tree).  Column names lower case with "_"; factors as
# their labels; NA as an empty field; dates as ISO dates.
suppressPackageStartupMessages({ library(MASS); library(survival); library(ggplot2) })
out <- "data/unseen"
clean <- function(d) {
  d <- as.data.frame(d)
  names(d) <- gsub("_+$", "", gsub("^_+", "", gsub("[^a-z0-9]+", "_", tolower(names(d)))))
  for (n in names(d)) if (is.factor(d[[n]])) d[[n]] <- as.character(d[[n]])
  d
}
put <- function(d, name) write.csv(clean(d), file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
d <- diamonds; names(d)[names(d) == "table"] <- "table_pct"; put(d, "diamonds")
t <- txhousing; t$date <- as.Date(sprintf("%d-%02d-01", t$year, t$month)); put(t, "txhousing")
put(colon, "colon")
put(economics, "economics")
put(Boston, "boston")
put(mpg, "mpg")
put(survey, "survey")
put(airquality, "airquality")
