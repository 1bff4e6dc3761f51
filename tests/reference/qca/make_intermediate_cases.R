# Regenerate the larger intermediate-solution reference cases in intermediate/.
#
# Crisp and fuzzy truth tables with 7 to 10 conditions, many remainders, contradictions
# (incl.cut = c(ic1, ic0) leaves rows between the two as "C", and rows with mixed
# outcomes fall below ic1) and several directional expectations, present and absent,
# some against the rule that generated the data. Each case is minimized with
# include = "?" (one case "?, C") and dir.exp, and written in the layout of the other cases (see
# README.md): the data as CASE.csv, R's answers as CASE.json.
#
# Run from this folder, with QCA 3.23 and admisc 0.40 installed (see README.md):
#     Rscript make_intermediate_cases.R [NAME ...]
# (only the cases named, all of them without arguments; R takes minutes per case).
# The data come from set.seed() below, so a rerun rewrites the same files.

suppressPackageStartupMessages({
    library(QCA)
    library(jsonlite)
})

out_dir <- "intermediate"
dir.create(out_dir, showWarnings = FALSE)

# Cases drawn from a few configurations, so that rows hold several cases (and can
# disagree on the outcome), and most of the 2^k configurations stay remainders.
crisp_data <- function(seed, k, n_configs, n_cases, rule, noise) {
    set.seed(seed)
    conds <- LETTERS[seq(k)]
    configs <- matrix(rbinom(n_configs * k, 1, 0.5), ncol = k)
    picked <- configs[sample(n_configs, n_cases, replace = TRUE), , drop = FALSE]
    data <- as.data.frame(picked)
    names(data) <- conds
    y <- as.integer(rule(data))
    flip <- runif(n_cases) < noise
    y[flip] <- 1L - y[flip]
    data$Y <- y
    rownames(data) <- sprintf("c%03d", seq(n_cases))
    data
}

fuzzy_data <- function(seed, k, n_configs, n_cases, rule, noise) {
    set.seed(seed)
    conds <- LETTERS[seq(k)]
    configs <- matrix(rbinom(n_configs * k, 1, 0.5), ncol = k)
    picked <- configs[sample(n_configs, n_cases, replace = TRUE), , drop = FALSE]
    member <- ifelse(
        picked == 1,
        runif(length(picked), 0.55, 1),
        runif(length(picked), 0, 0.45)
    )
    data <- as.data.frame(round(member, 2))
    names(data) <- conds
    y <- rule(data) + runif(n_cases, -noise, noise)
    data$Y <- round(pmin(pmax(y, 0), 1), 2)
    rownames(data) <- sprintf("c%03d", seq(n_cases))
    data
}

fand <- function(...) do.call(pmin, list(...))
for_ <- function(...) do.call(pmax, list(...))

term_table <- function(incl.cov) {
    out <- list()
    for (i in seq(nrow(incl.cov))) {
        covU <- incl.cov$covU[i]
        out[[rownames(incl.cov)[i]]] <- list(
            inclS = incl.cov$inclS[i],
            PRI = incl.cov$PRI[i],
            covS = incl.cov$covS[i],
            covU = if (is.na(covU)) NULL else covU
        )
    }
    out
}

sol_fit <- function(sol.incl.cov) {
    list(
        inclS = sol.incl.cov$inclS[1],
        PRI = sol.incl.cov$PRI[1],
        covS = sol.incl.cov$covS[1]
    )
}

# R's pof() answer for one set of models: one fit per model, the (overall) term
# table, and each model's own term table when there are several models.
fit_of <- function(IC) {
    if (is.element("overall", names(IC))) {
        list(
            solution = lapply(IC$individual, function(x) sol_fit(x$sol.incl.cov)),
            terms = term_table(IC$overall$incl.cov),
            per_model = lapply(IC$individual, function(x) term_table(x$incl.cov))
        )
    } else {
        list(solution = list(sol_fit(IC$sol.incl.cov)), terms = term_table(IC$incl.cov))
    }
}

# Own table of each model of a pof() answer.
model_tables <- function(IC) {
    if (is.element("overall", names(IC))) {
        lapply(IC$individual, function(x) term_table(x$incl.cov))
    } else {
        list(term_table(IC$incl.cov))
    }
}

tt_rows <- function(tt) {
    rows <- tt$tt[tt$tt$n > 0, , drop = FALSE]
    conds <- names(tt$noflevels)
    if (is.null(conds)) conds <- colnames(tt$tt)[seq(length(tt$noflevels))]
    lapply(seq(nrow(rows)), function(i) {
        list(
            rownum = as.integer(rownames(rows)[i]),
            row = as.integer(unlist(rows[i, seq(length(tt$noflevels))])),
            OUT = as.character(rows$OUT[i]),
            n = as.integer(rows$n[i]),
            incl = as.numeric(rows$incl[i]),
            PRI = as.numeric(rows$PRI[i]),
            cases = I(strsplit(rows$cases[i], ",")[[1]])
        )
    })
}

write_case <- function(name, data, kind, incl_cut, dir_exp, n_cut = 1, include = "?") {
    conds <- setdiff(names(data), "Y")
    write.csv(
        cbind(case = rownames(data), data),
        file.path(out_dir, paste0(name, ".csv")),
        row.names = FALSE,
        quote = FALSE
    )
    incl_text <- if (length(incl_cut) == 1) {
        format(incl_cut)
    } else {
        sprintf("c(%s)", paste(format(incl_cut), collapse = ", "))
    }
    r_call <- paste0(
        sprintf(
            'tt <- truthTable(data, outcome = "Y", incl.cut = %s, n.cut = %d, show.cases = TRUE)',
            incl_text, n_cut
        ),
        "\n",
        sprintf(
            'res <- minimize(tt, include = "%s", dir.exp = c(%s), details = TRUE)',
            include, paste0(names(dir_exp), ' = "', dir_exp, '"', collapse = ", ")
        )
    )
    tt <- truthTable(
        data, outcome = "Y", incl.cut = incl_cut, n.cut = n_cut, show.cases = TRUE
    )
    res <- minimize(tt, include = include, dir.exp = dir_exp, details = TRUE)
    keys <- names(res$i.sol)
    intermediate <- lapply(keys, function(key) {
        isol <- res$i.sol[[key]]
        list(
            key = key,
            solutions = lapply(isol$solution, I),
            essential = I(isol$essential),
            easy_counterfactuals = I(as.integer(rownames(isol$EC))),
            fit = fit_of(isol$IC)
        )
    })
    # all keys together: every model's fit, each term's row of the first key that
    # has it, and each model's own table when there are several models in all
    models <- unlist(lapply(intermediate, function(x) x$solutions), recursive = FALSE)
    terms <- list()
    for (x in intermediate) {
        for (term in names(x$fit$terms)) {
            if (is.null(terms[[term]])) terms[[term]] <- x$fit$terms[[term]]
        }
    }
    fit <- list(
        solution = unlist(lapply(intermediate, function(x) x$fit$solution), recursive = FALSE),
        terms = terms
    )
    if (length(models) > 1) {
        fit$per_model <- unlist(
            lapply(keys, function(key) model_tables(res$i.sol[[key]]$IC)),
            recursive = FALSE
        )
    }
    case <- list(
        dataset = paste0(name, ".csv"),
        kind = kind,
        outcome = "Y",
        negate_outcome = FALSE,
        conditions = I(conds),
        calibration = NULL,
        incl_cut = if (length(incl_cut) == 1) incl_cut else I(incl_cut),
        n_cut = n_cut,
        pri_cut = 0,
        include = include,
        dir_exp = lapply(as.list(dir_exp), function(v) if (v == "-") v else as.integer(v)),
        row_dom = FALSE,
        all_sol = FALSE,
        truth_table = tt_rows(tt),
        solutions = models,
        fit = fit,
        intermediate = intermediate,
        parsimonious_solutions = lapply(res$solution, I),
        parsimonious_fit = fit_of(res$IC),
        r_call = paste0(
            sprintf('data <- read.csv("%s.csv", row.names = 1)\n', name),
            r_call
        ),
        r_qca_version = as.character(packageVersion("QCA")),
        r_admisc_version = as.character(packageVersion("admisc")),
        r_version = R.version.string
    )
    writeLines(
        toJSON(case, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
        file.path(out_dir, paste0(name, ".json"))
    )
    cat(sprintf(
        "%s: %d keys, %d intermediate models (%s terms), %d parsimonious models\n",
        name, length(keys), length(models),
        paste(unique(lengths(models)), collapse = "/"), length(res$solution)
    ))
}

crisp_rule <- function(x) (x$A & x$B & !x$C) | (x$D & x$E) | (x$F & !x$G & x$H)
fuzzy_rule <- function(x) for_(fand(x$A, x$B), fand(x$C, 1 - x$D), fand(x$E, x$F, x$G))
# expectations along the rules, and partly against them
along <- list(A = 1, B = 1, C = 0, D = 1, E = 1, F = 1, G = 0, H = 1)
against <- list(A = 0, B = 1, C = 1, D = 0, E = 1, H = 0)
# R's dir.exp as one value per condition ("1", "0", or "-" for none), which
# minimize() reads without admisc::simplify() (that takes minutes from 8 conditions)
dir_vector <- function(map, conds) {
    out <- setNames(rep("-", length(conds)), conds)
    out[names(map)] <- as.character(unlist(map))
    out
}

# name, kind, seed, conditions, configurations, expectations, noise, outcome shift,
# include
specs <- list(
    list("cs8-against", "cs", 1, 8, 25, against, 0.05, 0),
    list("cs8-against-contradictions-included", "cs", 10, 8, 40, against, 0.10, 0, "?, C"),
    list("cs8-along-contradictions", "cs", 12, 8, 25, along, 0.10, 0),
    list("cs8-against-40", "cs", 10, 8, 40, against, 0.10, 0),
    list("cs9-against", "cs", 11, 9, 25, against, 0.05, 0),
    list("cs10-against", "cs", 1, 10, 25, against, 0.05, 0),
    list("fs7-along", "fs", 1, 7, 40, along, 0.15, 0.1),
    list("fs7-against", "fs", 10, 7, 40, against, 0.15, 0.2),
    list("fs8-along", "fs", 1, 8, 25, along, 0.15, 0.2)
)

only <- commandArgs(trailingOnly = TRUE)
for (spec in specs) {
    name <- spec[[1]]
    if (length(only) > 0 && !is.element(name, only)) next
    kind <- spec[[2]]
    k <- spec[[4]]
    n_configs <- spec[[5]]
    if (kind == "cs") {
        d <- crisp_data(spec[[3]], k, n_configs, 3 * n_configs, crisp_rule, spec[[7]])
        incl_cut <- c(0.75, 0.5)
    } else {
        d <- fuzzy_data(spec[[3]], k, n_configs, 3 * n_configs, fuzzy_rule, spec[[7]])
        d$Y <- round(pmin(pmax(d$Y - spec[[8]], 0), 1), 2)
        incl_cut <- c(0.8, 0.7)
    }
    conds <- LETTERS[seq(k)]
    map <- spec[[6]][intersect(names(spec[[6]]), conds)]
    started <- Sys.time()
    include <- if (length(spec) > 8) spec[[9]] else "?"
    write_case(name, d, kind, incl_cut, dir_vector(map, conds), include = include)
    cat(sprintf("  %.1f s\n", as.numeric(Sys.time() - started, units = "secs")))
}
