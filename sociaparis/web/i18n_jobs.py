"""Texts of the background job pages, merged into
:data:`sociaparis.web.i18n.MESSAGES`."""

from __future__ import annotations

JOBS_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "nav_jobs": "Tâches",
        "jobs_title": "Tâches en arrière-plan",
        "jobs_intro": (
            "Vos exports et rapports, préparés en arrière-plan. Un résultat est "
            "gardé une semaine, puis supprimé."
        ),
        "jobs_intro_all": (
            "Les exports et rapports de tous les comptes (vous êtes administrateur). "
            "Un résultat est gardé une semaine, puis supprimé."
        ),
        "no_jobs": "Aucune tâche pour l'instant.",
        "job_column": "Tâche",
        "job_kind_column": "Type",
        "job_owner": "Lancée par",
        "job_status_column": "État",
        "job_progress": "Avancement",
        "job_created": "Demandée le",
        "job_started": "Commencée le",
        "job_finished": "Terminée le",
        "job_kind_export": "Export des réponses",
        "job_kind_report": "Rapport",
        "job_status_queued": "En attente",
        "job_status_running": "En cours",
        "job_status_done": "Terminée",
        "job_status_failed": "Échec",
        "job_status_cancelled": "Annulée",
        "job_step_queued": "en attente d'un processus de travail",
        "job_step_starting": "démarrage",
        "job_step_reading": "lecture des réponses",
        "job_step_evaluating": "calcul des réponses",
        "job_step_writing": "écriture des fichiers",
        "job_step_computing": "calcul des estimations",
        "job_step_drawing": "dessin des graphiques",
        "job_step_done": "terminé",
        "job_step_failed": "échec",
        "job_step_cancelled": "annulée",
        "job_reload_hint": "Rechargez la page pour voir l'avancement.",
        "job_reload": "Recharger",
        "job_cancel": "Annuler la tâche",
        "job_cancelling": "Annulation demandée…",
        "job_download": "Télécharger le résultat",
        "job_remove": "Supprimer la tâche et son résultat",
        "job_failed_lead": "La tâche a échoué :",
        "job_cancelled_lead": "La tâche a été annulée :",
        "export_report_html": "Rapport (HTML, petites cases masquées)",
        "exports_jobs_hint": (
            "Chaque bouton prépare le fichier en arrière-plan : suivez l'avancement "
            "sur la page de la tâche, ou plus tard dans « Tâches »."
        ),
    },
    "en": {
        "nav_jobs": "Jobs",
        "jobs_title": "Background jobs",
        "jobs_intro": (
            "Your exports and reports, prepared in the background. A result is kept "
            "for a week, then removed."
        ),
        "jobs_intro_all": (
            "Every account's exports and reports (you are an administrator). A "
            "result is kept for a week, then removed."
        ),
        "no_jobs": "No job yet.",
        "job_column": "Job",
        "job_kind_column": "Kind",
        "job_owner": "Started by",
        "job_status_column": "Status",
        "job_progress": "Progress",
        "job_created": "Requested",
        "job_started": "Started",
        "job_finished": "Finished",
        "job_kind_export": "Response export",
        "job_kind_report": "Report",
        "job_status_queued": "Queued",
        "job_status_running": "Running",
        "job_status_done": "Done",
        "job_status_failed": "Failed",
        "job_status_cancelled": "Cancelled",
        "job_step_queued": "waiting for a worker",
        "job_step_starting": "starting",
        "job_step_reading": "reading the responses",
        "job_step_evaluating": "evaluating the responses",
        "job_step_writing": "writing the files",
        "job_step_computing": "computing the estimates",
        "job_step_drawing": "drawing the charts",
        "job_step_done": "done",
        "job_step_failed": "failed",
        "job_step_cancelled": "cancelled",
        "job_reload_hint": "Reload the page to see the progress.",
        "job_reload": "Reload",
        "job_cancel": "Cancel the job",
        "job_cancelling": "Cancellation asked…",
        "job_download": "Download the result",
        "job_remove": "Remove the job and its result",
        "job_failed_lead": "The job failed:",
        "job_cancelled_lead": "The job was cancelled:",
        "export_report_html": "Report (HTML, small cells hidden)",
        "exports_jobs_hint": (
            "Each button prepares the file in the background: follow its progress "
            "on the job's page, or later under “Jobs”."
        ),
    },
}

#: French messages of the JOB_xxx errors (the catalog's are English).
JOBS_ERROR_MESSAGES: dict[str, str] = {
    "JOB_001": "« {kind} » n'est pas un type de tâche. Choisissez parmi : {kinds}.",
    "JOB_002": "Le compte « {user} » ne voit aucune tâche {job_id}.",
    "JOB_003": "Le compte « {user} » ({role}) ne peut pas {action} : {reason}.",
    "JOB_004": "Le paramètre « {name} » ne peut pas valoir « {value} » : {reason}.",
    "JOB_005": (
        "La tâche {job_id} est déjà {status} : seule une tâche en attente ou en "
        "cours peut être annulée."
    ),
    "JOB_006": "La tâche {job_id} est {status} : elle n'a pas de résultat.",
    "JOB_007": (
        "Le résultat de la tâche {job_id} n'est plus dans le dossier de données ; "
        "relancez la tâche."
    ),
    "JOB_008": "La tâche {job_id} a été annulée.",
    "JOB_009": (
        "La tâche {job_id} ne donne plus de nouvelles depuis {seconds} s : son "
        "processus de travail s'est arrêté. Relancez-la."
    ),
    "JOB_010": (
        "La tâche {job_id} a échoué sur une erreur inattendue ({error}) ; le "
        "journal du processus de travail donne le détail."
    ),
    "JOB_011": "La tâche {job_id} ne peut pas tourner : le compte qui l'a lancée "
    "n'existe plus.",
    "JOB_012": "La file des tâches ({where}) est inutilisable : {reason}.",
    "JOB_013": (
        "Le compte « {user} » a déjà {count} tâches en attente ou en cours (au plus "
        "{limit}) : attendez la fin de l'une d'elles ou annulez-en une."
    ),
    "JOB_014": (
        "La tâche {job_id} est encore {status} : annulez-la (et attendez qu'elle "
        "s'arrête) avant de la supprimer."
    ),
}
