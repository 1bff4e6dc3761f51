"""French messages of the error catalogues that no page module translates.

The page modules (``i18n_qca``, ``i18n_compare``…) translate the errors their
pages show; this module holds the French text of every other catalogue entry
(database, XLSForm and XPath, study files, exports, survey analysis, corpus and
REFI-QDA import, pseudonymization, assisted coding, the API), merged into
:data:`sociaparis.web.i18n.ERROR_MESSAGES`.  English needs no copy here: it is
the catalogue's own template (:data:`CATALOGUE_TEMPLATES`), except for the JSON
API's catalogue (``QUAL_390``-``QUAL_394``): importing ``sociaparis.web.api``
imports the application, which imports this module, so its templates are copied
below (the test checks that the copies match).
"""

from __future__ import annotations

from sociaparis.accounts.errors import AccountError
from sociaparis.analysis.errors import AnalysisError
from sociaparis.assist.errors import AssistError
from sociaparis.assist.offline_errors import AssistOfflineError
from sociaparis.assist.run_errors import AssistRunError
from sociaparis.compare.matrix.errors import MatrixError
from sociaparis.compare.qca.errors import QCAError
from sociaparis.compare.register.errors import RegisterError
from sociaparis.core.errors import CoreError, ErrorCode
from sociaparis.jobs.errors import JobError
from sociaparis.qual.corpus_errors import CorpusError
from sociaparis.qual.errors import QualError
from sociaparis.qual.intake_errors import IntakeError
from sociaparis.qual.participant_errors import ParticipantError
from sociaparis.reports.errors import ReportError
from sociaparis.reports.explorer_errors import ExplorerError
from sociaparis.survey.errors import SurveyError
from sociaparis.survey.fielding.errors import FieldingError
from sociaparis.survey.io.errors import ExportError
from sociaparis.survey.study.errors import StudyError
from sociaparis.survey.xpath.errors import XPathErrorCode

#: every error catalogue of the package but the API's (tests/web/test_i18n_errors.py
#: checks that none is missing)
ERROR_CATALOGUES: tuple[type[ErrorCode], ...] = (
    AccountError,
    AnalysisError,
    AssistError,
    AssistOfflineError,
    AssistRunError,
    CoreError,
    CorpusError,
    ExplorerError,
    ExportError,
    FieldingError,
    IntakeError,
    JobError,
    MatrixError,
    ParticipantError,
    QCAError,
    QualError,
    RegisterError,
    ReportError,
    StudyError,
    SurveyError,
    XPathErrorCode,
)

#: the English template of every code, as the CLI prints it
CATALOGUE_TEMPLATES: dict[str, str] = {
    error.code: error.template for catalogue in ERROR_CATALOGUES for error in catalogue
}

CATALOGUE_ERROR_MESSAGES: dict[str, dict[str, str]] = {
    "fr": {
        "ANALYSIS_001": (
            "La colonne « {column} » n'est pas dans les données. Colonnes disponibles : "
            "{available}."
        ),
        "ANALYSIS_002": (
            "La colonne « {column} » a {count} valeur(s) manquante(s). Passez "
            "nan_policy='omit' pour estimer sur les répondants qui ont répondu (une "
            "estimation sur domaine, comme na.rm=TRUE dans R), ou complétez-les."
        ),
        "ANALYSIS_003": "{name}={value!r} n'est pas admis ; choisissez parmi {allowed}.",
        "ANALYSIS_004": (
            "La strate « {stratum} » n'a qu'une unité primaire d'échantillonnage : sa "
            "variance ne peut pas être estimée. Passez lonely_psu='certainty' ou "
            "'remove' (comme options(survey.lonely.psu=...) dans R), ou regroupez cette "
            "strate avec une strate voisine."
        ),
        "ANALYSIS_005": "Correction pour population finie : {reason}.",
        "ANALYSIS_006": "Pondérations : {reason}.",
        "ANALYSIS_007": (
            "Les grappes ne sont pas emboîtées dans les strates (la grappe « {cluster} » "
            "se trouve dans plusieurs strates). Passez nest=True si les libellés de "
            "grappe ne sont uniques qu'à l'intérieur d'une strate."
        ),
        "ANALYSIS_008": (
            "La marge de population de « {variable} » ne correspond pas à "
            "l'échantillon : {reason}."
        ),
        "ANALYSIS_009": "{method} n'a pas convergé après {iterations} itérations.",
        "ANALYSIS_010": (
            "L'effectif minimal par case ({value}) est inférieur au plancher de {floor} "
            "répondants : les tableaux publiés ne doivent jamais montrer de case de "
            "moins de {floor} répondants."
        ),
        "ANALYSIS_011": "Cas de conformité {path} : {reason}.",
        "ANALYSIS_012": "Matrice singulière ({what}) : {reason}.",
        "ANALYSIS_013": "Aucun répondant de poids non nul dans {what}.",
        "ASSIST_001": (
            "Aucun point d'accès de modèle de langue n'est configuré ({missing} "
            "manquant) : renseignez SOCIAPARIS_LLM_URL et SOCIAPARIS_LLM_MODEL, ou "
            "indiquez --endpoint et --model. Rien n'a été envoyé."
        ),
        "ASSIST_002": (
            "{url!r} n'est pas une adresse http(s) : indiquez l'URL de base du point "
            "d'accès, par exemple http://localhost:11434/v1 (Ollama) ou "
            "https://albert.api.etalab.gouv.fr/v1."
        ),
        "ASSIST_003": "{name}={value} : {reason}",
        "ASSIST_004": (
            "Le point d'accès {url} est injoignable ({attempts} tentatives) : {reason}. "
            "Vérifiez l'adresse, que le serveur fonctionne, et le délai d'attente "
            "(SOCIAPARIS_LLM_TIMEOUT, --timeout)."
        ),
        "ASSIST_005": (
            "Le point d'accès {url} a répondu HTTP {status} ({attempts} tentatives) : "
            "{reason}"
        ),
        "ASSIST_006": (
            "Le point d'accès {url} a refusé la requête (HTTP {status}) : vérifiez la "
            "clé (SOCIAPARIS_LLM_KEY, --key) et qu'elle autorise le modèle « {model} »."
        ),
        "ASSIST_007": (
            "Le modèle « {model} » de {url} n'a jamais renvoyé de JSON exploitable "
            "({attempts} réponses) : {reason}. Essayez un modèle plus grand, ou un "
            "modèle qui prend en charge les sorties structurées."
        ),
        "ASSIST_008": (
            "{path} : le livre de codes ne contient aucun code applicable ; il n'y a "
            "rien à suggérer."
        ),
        "ASSIST_009": (
            "{path} : {reason}. Fournissez un fichier texte UTF-8 (pseudonymisé au "
            "préalable : `sociaparis qual pseudonymize`)."
        ),
        "ASSIST_010": (
            "{path} : ce n'est pas un enregistrement d'exécution de sociaparis assist : "
            "{reason}."
        ),
        "ASSIST_011": (
            "L'enregistrement ne contient pas de réponse à la requête {number} (modèle "
            "« {model} ») : le texte, le livre de codes ou les réglages (taille des "
            "segments, langue) diffèrent de l'exécution enregistrée. Rejouez avec le "
            "même fichier et le même livre de codes."
        ),
        "ASSIST_012": "{path} : ce fichier audio n'existe pas.",
        "ASSIST_013": (
            "{path} : {size} octets, au-delà de la limite de {limit} octets pour un "
            "enregistrement (SOCIAPARIS_AUDIO_MAX_BYTES). Découpez l'enregistrement en "
            "plusieurs parties, ou relevez la limite si le point d'accès accepte des "
            "fichiers plus gros."
        ),
        "ASSIST_014": (
            "Aucune transcription n'est configurée : indiquez --endpoint et --model (ou "
            "renseignez SOCIAPARIS_LLM_URL et SOCIAPARIS_TRANSCRIBE_MODEL) pour un point "
            "d'accès /audio/transcriptions compatible OpenAI, ou --local-model DIR pour "
            "un dossier de modèle faster-whisper."
        ),
        "ASSIST_015": (
            "La transcription locale nécessite le paquet faster-whisper, qui n'est pas "
            "installé : pip install 'sociaparis[transcription]' (ou faster-whisper), ou "
            "utilisez un point d'accès de transcription (--endpoint, --model)."
        ),
        "ASSIST_016": (
            "{path} : ce n'est pas un dossier de modèle faster-whisper ({missing} "
            "absent). Indiquez le dossier d'un modèle Whisper CTranslate2 (par exemple "
            "une copie de Systran/faster-whisper-large-v3) ; sociaparis ne télécharge "
            "jamais de modèle."
        ),
        "ASSIST_017": "La transcription issue de {source} est inutilisable : {reason}.",
        "ASSIST_030": (
            "{user} a le rôle « {role} », qui ne permet pas de {action} : seuls les "
            "chercheurs et les administrateurs lancent des suggesteurs et acceptent ou "
            "rejettent leurs suggestions."
        ),
        "ASSIST_031": (
            "Le document « {title} » est à l'état {status} : seuls les documents publiés "
            "(pseudonymisés et relus) peuvent être envoyés à un suggesteur. Relisez "
            "d'abord sa pseudonymisation et publiez-le (`sociaparis qual review`)."
        ),
        "ASSIST_032": (
            "Aucun document choisi : indiquez au moins un document publié sur lequel "
            "lancer le suggesteur."
        ),
        "ASSIST_033": (
            "Aucun code choisi : indiquez au moins un code applicable du livre de codes."
        ),
        "ASSIST_034": (
            "Il n'y a pas d'exécution n° {ref}. Listez les exécutions avec `sociaparis "
            "assist runs`."
        ),
        "ASSIST_035": (
            "Il n'y a pas de suggestion n° {ref}. Listez-les avec `sociaparis assist "
            "review`."
        ),
        "ASSIST_036": (
            "La suggestion {ref} a déjà été traitée ({status}) par {who} ; elle ne peut "
            "plus être modifiée ({wanted}). Si besoin, modifiez le codage lui-même dans "
            "la vue de codage."
        ),
        "ASSIST_037": "Suggesteur inconnu « {value} » : choisissez parmi {choices}.",
        "ASSIST_038": (
            "La confiance minimale doit être un nombre de 0 à 1, et non « {value} »."
        ),
        "ASSIST_039": (
            "État de suggestion inconnu « {value} » : choisissez parmi {choices}."
        ),
        "ASSIST_040": (
            "Suggestion {ref} : {reason}. Indiquez d'autres bornes (début avant la fin, "
            "à l'intérieur du document) ou un autre code."
        ),
        "ASSIST_041": (
            "Le code « {code} » est une catégorie, il ne s'applique pas : choisissez des "
            "codes applicables."
        ),
        "ASSIST_042": (
            "Le suggesteur {coder} a échoué sur le document « {title} » : {reason}. "
            "L'exécution a été arrêtée ; relancez-la une fois le suggesteur réparé."
        ),
        "ASSIST_043": (
            "Indiquez quoi faire : accepter, rejeter ou modifier (avec --start/--end ou "
            "--code) une ou plusieurs suggestions."
        ),
        "ASSIST_044": "L'exécution {run} ne peut pas être rejouée : {reason}.",
        "CORE_001": (
            "La base de données {url} est à la révision de schéma {current}, mais cette "
            "version de sociaparis demande {head}. Lancez `sociaparis db upgrade` (après "
            "une sauvegarde)."
        ),
        "CORE_002": (
            "Impossible d'ouvrir la base de données {url} : {reason}. Vérifiez "
            "SOCIAPARIS_DATABASE_URL."
        ),
        "CORE_003": (
            "La base de données {url} est à la révision {current}, inconnue de cette "
            "version de sociaparis. Mettez sociaparis à jour."
        ),
        "CORE_020": (
            "La base de données {url} est restée verrouillée pendant {seconds} s par un "
            "autre programme qui y écrivait (SOCIAPARIS_LOCK_TIMEOUT). Réessayez dans un "
            "instant, ou augmentez SOCIAPARIS_LOCK_TIMEOUT."
        ),
        "CORE_004": (
            "L'URL de base de données {url} est inutilisable : {reason}. Donnez à "
            "SOCIAPARIS_DATABASE_URL la forme sqlite:///PATH ou "
            "postgresql://USER:PASSWORD@HOST:PORT/DATABASE."
        ),
        "CORE_010": (
            "{path} : ce n'est pas un fichier {format} lisible (les fichiers {format} "
            "sont des archives zip) : {reason}. Ouvrez-le dans son logiciel et "
            "enregistrez-le de nouveau."
        ),
        "CORE_011": (
            "{path} : l'archive {format} contient {count} entrées, au-delà de la limite "
            "de {limit} ; elle a été refusée."
        ),
        "CORE_012": (
            "{path} : l'entrée « {name} » de l'archive {format} pointe hors de l'archive "
            "(chemin absolu, lettre de lecteur ou '..') ; le fichier a été refusé par "
            "sécurité."
        ),
        "CORE_013": (
            "{path} : avec l'entrée « {name} » de l'archive {format}, la taille "
            "décompressée dépasse la limite de {limit} octets ; le fichier a été refusé "
            "(bombe zip, ou fichier trop gros pour être lu d'un seul tenant)."
        ),
        "CORE_014": (
            "{path} : l'entrée « {name} » de l'archive {format} est compressée "
            "{ratio:.0f} pour 1, au-delà de la limite de {limit:.0f} pour 1 ; le fichier "
            "a été refusé comme bombe zip probable."
        ),
        "QUAL_201": (
            "{path} : ce même fichier a déjà été importé comme document « {title} » "
            "(sha256 {sha256}). Ne l'importez de nouveau que délibérément "
            "(allow_duplicate, --allow-duplicate)."
        ),
        "QUAL_202": (
            "Il n'y a pas de document « {ref} ». Listez les documents avec `sociaparis "
            "qual documents`."
        ),
        "QUAL_203": (
            "Il n'y a pas de cas « {ref} ». Listez les cas avec `sociaparis qual cases`."
        ),
        "QUAL_205": (
            "Le document « {title} » est à l'état {status} : il ne pourra être codé "
            "qu'une fois sa pseudonymisation relue et son texte publié."
        ),
        "QUAL_206": (
            "Le passage {start}..{end} n'est pas à l'intérieur du document « {title} » "
            "(0..{length} points de code, le début avant la fin)."
        ),
        "QUAL_207": (
            "« {ref} » désigne plusieurs codes ({paths}) ; indiquez le chemin 'A > B' ou "
            "le GUID."
        ),
        "QUAL_209": "Il n'y a pas de codage « {ref} ».",
        "QUAL_210": (
            "Le document « {title} » est à l'état {status} ; cette opération demande un "
            "document à l'état {expected}."
        ),
        "QUAL_211": "Il n'y a pas d'attribut « {ref} ». Attributs connus : {known}.",
        "QUAL_212": (
            "L'élément {kind} {guid} du projet importé existe déjà dans l'étude ; "
            "importez le projet dans une étude qui ne le contient pas encore."
        ),
        "QUAL_214": "{name} doit valoir l'une des valeurs {choices}, et non « {value} ».",
        "QUAL_216": (
            "Deux éléments {kind} porteraient le nom « {name} » (dans le projet importé, "
            "ou entre le projet et l'étude) ; ces noms doivent être uniques. Renommez "
            "l'un d'eux et importez de nouveau."
        ),
        "QUAL_001": (
            "{path} : {size} octets, au-delà de la limite de {limit} octets pour un "
            "document. Découpez le fichier, ou relevez la limite si vous avez confiance "
            "en lui."
        ),
        "QUAL_002": (
            "{path} : le fichier est vide ou ne contient pas de texte. Vérifiez que vous "
            "avez choisi le bon fichier."
        ),
        "QUAL_003": (
            "{path} : le contenu ne peut pas être lu comme du texte ({reason}). "
            "Enregistrez le fichier en texte UTF-8 et importez-le de nouveau."
        ),
        "QUAL_004": (
            "{path} : le nom indique {declared}, mais le contenu est {found}. Renommez "
            "le fichier avec la bonne extension, ou exportez-le de nouveau depuis son "
            "logiciel."
        ),
        "QUAL_005": (
            "{path} : impossible de déterminer le format du document « {name} » ; "
            "formats pris en charge : {supported}. Indiquez le format explicitement "
            "(format=..., --format)."
        ),
        "QUAL_008": (
            "{path} : ce n'est pas un fichier {format} valide : {reason}. Ouvrez-le dans "
            "son logiciel et enregistrez-le de nouveau."
        ),
        "QUAL_009": (
            "{path} : la partie « {name} » déclare un DOCTYPE ou des entités, ce que les "
            "fichiers {format} ne font jamais ; elle a été refusée pour écarter les "
            "attaques par expansion d'entités."
        ),
        "QUAL_010": "{path} : {format} mal formé : {reason}.",
        "QUAL_011": (
            "{path} : {what} n'a été trouvé. S'agit-il vraiment d'un fichier {format} ?"
        ),
        "QUAL_012": (
            "{path} : rien n'a pu être lu dans ce fichier {format} : ses {count} parties "
            "ont toutes été ignorées, la première pour la raison suivante. {first}"
        ),
        "QUAL_020": (
            "{path} : le texte n'est pas en UTF-8 ; il a été lu comme {encoding}. "
            "Vérifiez les lettres accentuées, ou enregistrez le fichier en UTF-8 et "
            "importez-le de nouveau."
        ),
        "QUAL_021": "{path} : {reason} ; cette partie a été ignorée.",
        "QUAL_022": (
            "{path} : {count} caractère(s) de contrôle (comme des sauts de page) ont été "
            "supprimés."
        ),
        "QUAL_050": (
            "{path} : ce fichier n'existe pas. Vérifiez le chemin (les chemins relatifs "
            "partent de {cwd})."
        ),
        "QUAL_051": "{path} : le fichier ne peut pas être lu ({reason}).",
        "QUAL_052": (
            "{path} : l'octet {position} n'est pas de l'UTF-8 valide. Encodages "
            "acceptés : UTF-8 (avec ou sans BOM) et UTF-16 avec BOM. Convertissez "
            "d'abord le fichier, par exemple `iconv -f WINDOWS-1252 -t UTF-8 {path} > "
            "converted.txt`."
        ),
        "QUAL_053": (
            "{path} : le fichier de termes ne contient aucun terme. Écrivez un terme par "
            "ligne ; les variantes d'un même terme sur la même ligne, séparées par '|' ; "
            "'#' commence un commentaire."
        ),
        "QUAL_054": (
            "{path} : le terme « {term} » compte moins de 2 lettres ou chiffres ; un tel "
            "terme serait reconnu partout. Supprimez-le ou écrivez-le en entier."
        ),
        "QUAL_055": (
            "{path} : ce n'est pas une table de pseudonymisation sociaparis ({reason})."
        ),
        "QUAL_056": (
            "Le passage {start}..{end} est vide ou hors du texte (longueur {length})."
        ),
        "QUAL_057": (
            "Le passage {start}..{end} chevauche le remplacement "
            "{other_start}..{other_end} ({label}). Rejetez d'abord ce remplacement, ou "
            "choisissez un passage qui ne le chevauche pas."
        ),
        "QUAL_058": (
            "{count} remplacement(s) sont encore seulement proposés (le premier en "
            "{start}..{end}, « {original} »). Acceptez ou rejetez chacun d'eux avant de "
            "publier le texte."
        ),
        "QUAL_059": (
            "Le remplacement {start}..{end} attend « {original} », mais le texte "
            "contient « {found} » à cet endroit : les remplacements concernent une autre "
            "version du texte."
        ),
        "QUAL_060": (
            "« {label} » n'est pas une étiquette de type {kind} : écrivez-la sous la "
            "forme [{kind}-<numéro>]."
        ),
        "QUAL_061": (
            "Il n'y a pas de remplacement n° {index} ; la relecture en compte {count}."
        ),
        "QUAL_062": "{path} : impossible d'écrire le fichier ({reason}).",
        "QUAL_100": "Aucun code d'identifiant {code_id} dans le projet.",
        "QUAL_103": (
            "Deux éléments ({kind}) partagent l'identifiant {id} ; les identifiants "
            "doivent être uniques."
        ),
        "QUAL_104": (
            "Le codage {coding_id} n'est pas un codage du code {code_id} : il ne peut "
            "donc pas en être détaché."
        ),
        "QUAL_105": (
            "L'élément {id} ({kind}) fait référence à {ref}, qui n'est pas dans le "
            "projet."
        ),
        "QUAL_106": (
            "L'élément {label} ({what}) de la source « {source} » couvre {start}..{end}, "
            "hors de son texte (0..{length} points de code, le début avant la fin)."
        ),
        "QUAL_107": (
            "Le mémo {memo_id} est rattaché à un élément « {kind} » ; un mémo peut être "
            "rattaché au projet, à une source, à un passage de source, à un code, à un "
            "cas ou à un codage."
        ),
        "QUAL_108": "Le projet n'est pas cohérent : {problems}",
        "QUAL_109": (
            "L'élément {id} ({kind}) a la valeur {value!r} pour la variable {variable}, "
            "qui est de type {type}."
        ),
        "QUAL_110": (
            "{path} : ce n'est pas une archive REFI-QDA lisible (un .qdpx est un fichier "
            "zip) : {reason}."
        ),
        "QUAL_111": (
            "{path} : l'archive ne contient pas de fichier project.qde ; ce n'est donc "
            "pas un projet REFI-QDA."
        ),
        "QUAL_116": (
            "{path} : {size} octets de XML, au-delà de la limite de {limit} octets."
        ),
        "QUAL_117": "{path} : le XML ne peut pas être lu : {reason}.",
        "QUAL_118": (
            "{path} : le XML déclare un DOCTYPE ; les fichiers REFI-QDA n'en ont jamais "
            "besoin, et il est refusé pour écarter les attaques par expansion d'entités."
        ),
        "QUAL_119": "{path} : l'élément racine est {found}, {expected} était attendu.",
        "QUAL_120": (
            "{path} : <{element}> a {attribute}='{value}', qui n'est pas valide : "
            "{reason}."
        ),
        "QUAL_121": (
            "{path} : un élément <{element}> n'a pas son attribut obligatoire "
            "« {attribute} »."
        ),
        "QUAL_122": (
            "Le codage {coding_id} partage la sélection {id} avec des codages d'un autre "
            "passage ; les codages d'une même sélection doivent couvrir le même passage "
            "de la même source."
        ),
        "QUAL_123": (
            "La variable {id} est de type « {type} » ; utilisez Text, Boolean, Integer, "
            "Float, Date ou DateTime."
        ),
        "QUAL_130": (
            "{path} : <{element}> « {name} » n'est pas pris en charge par sociaparis et "
            "n'a pas été importé{detail}."
        ),
        "QUAL_131": (
            "{path} : le texte de la source « {name} » ({ref}) n'est ni dans le fichier "
            "ni dans l'archive ; ses codages sont conservés, mais leurs positions ne "
            "peuvent pas être vérifiées."
        ),
        "QUAL_132": (
            "{path} : <{element}> fait référence à {ref}, qui n'est pas dans le projet "
            "importé ; la référence a été abandonnée."
        ),
        "QUAL_133": (
            "{path} : une sélection de la source « {name} » couvre {start}..{end}, hors "
            "de son texte de {length} points de code ; ni elle ni ses codages n'ont été "
            "importés."
        ),
        "QUAL_134": (
            "{path} : le texte de la source « {name} » n'est pas en forme Unicode NFC ; "
            "il a été conservé tel quel pour que les positions restent justes."
        ),
        "QUAL_135": (
            "{path} : la sélection {start}..{end} de la source « {name} » ne porte ni "
            "codage, ni description, ni mémo : il n'y avait rien à importer."
        ),
        "QUAL_136": (
            "{path} : l'utilisateur {ref} est cité mais pas déclaré dans <Users> ; il a "
            "été ajouté sans nom."
        ),
        "QUAL_137": (
            "{path} : la valeur « {value} » de la variable {variable} est de type "
            "{found}, mais la variable est déclarée {expected} ; la valeur n'a pas été "
            "importée."
        ),
        "QUAL_300": (
            "{user} n'a rien à annuler{where} : il ne reste aucun codage, suppression ou "
            "modification de sa part qui n'ait déjà été annulé."
        ),
        "QUAL_301": (
            "La dernière action de {user} ({kind} du codage {coding}) ne peut pas être "
            "annulée : {reason}. Rechargez le document et modifiez le codage à la main."
        ),
        "QUAL_302": (
            "La modification du codage {coding} ne change rien : indiquez de nouvelles "
            "bornes, un autre code ou un nouveau mémo."
        ),
        "QUAL_303": (
            "Le codage {coding} n'est pas sur le document « {title} ». Ouvrez le "
            "document où il se trouve."
        ),
        "QUAL_304": "La requête n'est pas valide : {reason}.",
        "QUAL_305": (
            "Aucun code n'a été choisi pour le passage {start}..{end} : choisissez un ou "
            "plusieurs codes."
        ),
        "QUAL_306": (
            "La requête ne porte pas le jeton CSRF de cette session (en-tête "
            "X-CSRF-Token) ou provient d'un autre site. Rechargez la page et "
            "recommencez."
        ),
        "QUAL_320": (
            "{path} : un seul paragraphe, aucun tour de parole trouvé. S'il s'agit d'une "
            "transcription, vérifiez sa mise en forme : une ligne vide (ou un retour à "
            "la ligne) entre les tours de parole, et 'NOM: ' au début de chaque tour, "
            "avec l'option des locuteurs activée."
        ),
        "QUAL_321": (
            "{path} : les locuteurs ont été demandés, mais aucun paragraphe ne commence "
            "par une étiquette de locuteur ('NOM: ' ou '[SPEAKER_00]: ') ; le texte a "
            "été lu comme {count} paragraphes."
        ),
        "QUAL_322": (
            "{count} fichiers ont été envoyés d'un coup ; un envoi en accepte {limit} au "
            "plus. Envoyez-les en plusieurs fois."
        ),
        "QUAL_323": (
            "« {value} » n'est pas une valeur de type {type} pour l'attribut "
            "« {name} » : écrivez {hint}, ou laissez la case vide pour supprimer la "
            "valeur."
        ),
        "QUAL_324": (
            "« {name} » ne peut pas nommer un attribut : utilisez de 1 à 200 caractères, "
            "pas uniquement des espaces."
        ),
        "QUAL_325": (
            "Un attribut nommé « {name} » existe déjà ; modifiez plutôt ses cases."
        ),
        "QUAL_326": (
            "Aucun fichier n'a été envoyé. Choisissez un ou plusieurs fichiers (TXT, MD, "
            "DOCX, ODT, VTT, SRT, JSON Whisper, HTML noScribe)."
        ),
        "QUAL_390": (
            "La requête n'est pas valide : {problems}. La description de l'API se trouve "
            "à /api/v1/openapi.json."
        ),
        "QUAL_391": (
            "Il n'y a pas de point d'accès de l'API à {path}. Les points d'accès sont "
            "listés dans /api/v1/openapi.json."
        ),
        "QUAL_392": (
            "{path} ne répond pas à la méthode {method}. Les points d'accès sont listés "
            "dans /api/v1/openapi.json."
        ),
        "QUAL_393": (
            "La base de données est restée verrouillée par une autre écriture ; rien n'a "
            "été enregistré. Réessayez dans {seconds} s."
        ),
        "QUAL_394": (
            "Erreur inattendue ; rien n'a été enregistré. Communiquez la référence "
            "{error_id} à l'administrateur de l'étude (elle figure dans le journal du "
            "serveur)."
        ),
        "SURVEY_001": (
            "Impossible de lire le formulaire « {path} » : {reason}. Fournissez un "
            "XLSForm au format .xlsx, .xls, .csv ou .md avec une feuille 'survey'."
        ),
        "SURVEY_002": (
            "Le formulaire XLSForm n'est pas valide : {detail} Corrigez le formulaire et "
            "recommencez."
        ),
        "SURVEY_003": (
            "Le type « {type} » de « {name} » n'est pas pris en charge. Utilisez l'un "
            "des types suivants : {supported}."
        ),
        "SURVEY_005": (
            "« {expression} » fait référence à ${{{reference}}}, mais aucune question, "
            "aucun groupe ni aucun calcul ne s'appelle « {reference} ». Corrigez "
            "l'orthographe ou ajoutez la question."
        ),
        "SURVEY_006": (
            "L'expression « {expression} » ne peut pas être utilisée : {reason} Vérifiez "
            "sa syntaxe et le nom des fonctions qu'elle appelle."
        ),
        "SURVEY_007": (
            "Le nom « {name} » est utilisé deux fois (la première fois ligne "
            "{first_row}). Chaque question, groupe et répétition doit avoir son propre "
            "nom pour que ${{{name}}} soit sans ambiguïté."
        ),
        "SURVEY_008": (
            "« {name} » utilise la liste de choix « {list_name} », qui n'est pas dans la "
            "feuille 'choices'. Ajoutez-y la liste ou corrigez l'orthographe."
        ),
        "SURVEY_009": (
            "Les expressions de pertinence, de calcul et d'obligation dépendent les unes "
            "des autres en boucle : {cycle}. Rompez la boucle pour que chaque valeur "
            "puisse se calculer à partir des précédentes."
        ),
        "SURVEY_010": (
            "« {name} » : {reason}. Déplacez-le pour qu'aucune répétition ne soit dans "
            "un groupe field-list et que les répétitions soient imbriquées sur 3 niveaux "
            "au plus."
        ),
        "SURVEY_012": "« {name} » ne peut pas être évalué : {reason}",
        "SURVEY_013": (
            "Le calcul de « {name} » peut produire un texte de {bound} caractères "
            "(chaque réponse comptée à sa limite de {answer_limit}) ; la limite est de "
            "{limit}. Concaténez moins de valeurs ou des valeurs plus courtes, et jamais "
            "un calcul avec lui-même sur plusieurs étapes."
        ),
        "SURVEY_014": (
            "Le groupe « {name} » est imbriqué sur plus de {limit} niveaux. Fermez "
            "certains groupes avec 'end group' avant d'en ouvrir de nouveaux : une "
            "imbrication aussi profonde n'est nécessaire ni pour les pages ni pour la "
            "pertinence."
        ),
        "SURVEY_015": (
            "${{{reference}}} est ambigu : le nom « {reference} » est utilisé aux lignes "
            "{rows} de la feuille survey, dans des groupes différents. On ne peut pas "
            "faire référence à un nom utilisé dans plusieurs groupes ; renommez l'une "
            "des questions."
        ),
        "SURVEY_020": (
            "Le fichier de réponses « {path} » n'est pas un JSON valide : {reason}. Il "
            "doit contenir un objet JSON qui associe à chaque nom de question sa "
            "réponse."
        ),
        "SURVEY_021": (
            "Les réponses ne sont pas organisées comme prévu : {reason}. Fournissez un "
            "objet JSON qui associe à chaque nom de question une chaîne, et à une "
            "répétition une liste de tels objets."
        ),
        "SURVEY_022": (
            "Il y a une réponse pour « {name} », mais le formulaire n'a pas de question "
            "de ce nom à cet endroit. Noms connus : {known}."
        ),
        "SURVEY_023": (
            "La réponse « {value} » à « {name} » n'est pas un choix de la liste "
            "« {list_name} ». Utilisez l'un des choix suivants : {choices}."
        ),
        "SURVEY_024": (
            "« {name} » est de type {type} : sa valeur est calculée ou affichée, jamais "
            "saisie. Retirez-le des réponses."
        ),
        "SURVEY_025": (
            "La réponse « {value} » à « {name} » n'est pas une valeur {type} valide : "
            "{reason}."
        ),
        "SURVEY_026": (
            "L'instrument « {form_id} » n'a pas de page « {page} ». Pages : {pages}."
        ),
        "SURVEY_045": (
            "« {name} » utilise la pièce jointe « {file} », qui n'est pas dans {folder}. "
            "Placez-y le fichier (le dossier media/ de l'étude, ou --media DIR), ou "
            "corrigez son nom."
        ),
        "SURVEY_046": "La pièce jointe « {name} » ne peut pas être lue : {reason}.",
        "SURVEY_047": (
            "« {name} » prend ses choix dans « {file} », qui n'a pas de colonne "
            "« {column} » (ses colonnes : {columns}). Nommez ainsi la colonne, ou "
            "indiquez-en une autre dans la colonne parameters (value=COLUMN, "
            "label=COLUMN)."
        ),
        "SURVEY_030": (
            "Aucun instrument enregistré ne correspond à « {key} ». Lancez `sociaparis "
            "instrument list` pour voir les instruments enregistrés."
        ),
        "SURVEY_031": (
            "Le formulaire « {form_id} » a déjà une version enregistrée « {version} » "
            "dont le contenu est différent. Changez la 'version' dans la feuille "
            "settings (ou retirez-la pour numéroter les versions automatiquement)."
        ),
        # the warnings of the XLSForm check
        "SURVEY_W01": "pyxform signale (en anglais) : {warning}",
        "SURVEY_W02": (
            "La feuille settings ne donne pas de form_id ; « {form_id} » (tiré du nom "
            "du fichier) est utilisé. Indiquez un form_id pour que les nouvelles "
            "versions du formulaire soient reconnues quel que soit le nom du fichier."
        ),
        "SURVEY_W03": "« {name} » ({type}){detail}",
        "SURVEY_W04": (
            "La colonne « {column} » (utilisée d'abord par « {name} ») n'est pas "
            "utilisée par sociaparis : elle est ignorée sur toutes les lignes."
        ),
        "SURVEY_W05": (
            "L'apparence {appearance} (employée d'abord sur « {name} ») {detail}"
        ),
        "SURVEY_W06": (
            "« {name} » ({type}) lit un code-barres avec l'appareil photo du téléphone "
            "dans ODK Collect ; sur le web, comme dans Enketo, c'est un champ de texte "
            "où le répondant saisit le code."
        ),
        "SURVEY_W08": (
            "Le filtre de choix de « {name} » lit « {column} », qui n'est pas une "
            "colonne de sa liste (ses colonnes : {known}) : comme dans ODK, sa valeur "
            "est vide, et une comparaison avec elle n'est jamais vraie. Pour comparer "
            "avec le texte « {column} », mettez-le entre apostrophes : '{column}'."
        ),
        "EXPORT_001": (
            "Format d'export inconnu « {format} ». Utilisez l'un des formats suivants : "
            "{formats}."
        ),
        "EXPORT_002": (
            "Le fichier de sortie « {path} » a le suffixe du format {suffix}, mais le "
            "format demandé est {format}. Changez le suffixe ou --format."
        ),
        "EXPORT_003": (
            "Le formulaire « {form_id} » n'a aucune réponse complète à exporter "
            "(versions : {versions}). Utilisez --include-in-progress pour exporter "
            "aussi les réponses en cours de saisie."
        ),
        "EXPORT_004": (
            "Indiquez le format à écrire : --format {formats}, ou un fichier de sortie "
            "avec l'un des suffixes {suffixes}."
        ),
        "EXPORT_005": (
            "Le formulaire « {form_id} » n'a pas de version « {version} » ; ses versions "
            "sont : {versions}."
        ),
        "EXPORT_006": (
            "La table « {table} » compte {rows} lignes, plus qu'une feuille Excel ne "
            "peut en contenir ({limit}). Exportez plutôt en CSV, Parquet, SPSS ou Stata."
        ),
        "EXPORT_007": (
            "Le rôle « {role} » ne permet pas de télécharger les réponses ; demandez le "
            "rôle de chercheur à un administrateur."
        ),
        "EXPORT_008": (
            "Le formulaire « {form_id} » n'a aucune réponse à exporter, complète ou en "
            "cours (versions : {versions})."
        ),
        "STUDY_001": (
            "Il n'y a pas de fichier d'étude à l'emplacement {path}. Un dossier d'étude "
            "contient un fichier study.toml (décrit dans docs/study.md) ; indiquez le "
            "dossier ou le fichier."
        ),
        "STUDY_002": (
            "{path} n'est pas un fichier TOML valide : {reason}. Corrigez la ligne "
            "indiquée."
        ),
        "STUDY_003": (
            "{path} : la clé « {key} » manque. Ajoutez-la (elle est décrite dans "
            "docs/study.md)."
        ),
        "STUDY_004": "{path} : « {key} » doit être {expected}, et non {value!r}.",
        "STUDY_005": (
            "{path} : clé inconnue « {key} ». Les clés admises ici sont : {known}. "
            "Vérifiez l'orthographe (docs/study.md)."
        ),
        "STUDY_006": (
            "{path} : « {key} » = {value!r} n'est pas une date. Écrivez une date sans "
            "heure, par exemple 2026-10-05."
        ),
        "STUDY_007": (
            "{path} : l'instrument « {instrument} » ferme le {closes}, avant d'ouvrir le "
            "{opens}. Corrigez l'une des deux dates."
        ),
        "STUDY_008": (
            "{path} : « {key} » n'a pas de texte en « {language} ». Chaque texte en "
            "demande un par langue de l'étude ({languages})."
        ),
        "STUDY_009": (
            "{path} : min_cell_count = {value} est inférieur à {floor}. Des cases de "
            "moins de {floor} répondants peuvent permettre d'identifier des personnes ; "
            "utilisez {floor} ou plus (10 est la valeur usuelle)."
        ),
        "STUDY_010": (
            "{path} : « {key} » mentionne « {value} » deux fois. Donnez à chacun un nom "
            "distinct."
        ),
        "STUDY_011": (
            "{path} : « {key} » = « {value} », mais aucun élément {kind} n'a cet "
            "identifiant. Identifiants connus : {known}."
        ),
        "STUDY_012": (
            "{path} : « {key} » = {value!r} n'est pas un nom valide. Utilisez des "
            "lettres minuscules, des chiffres et des tirets bas, en commençant par une "
            "lettre (il devient un nom de variable)."
        ),
        "STUDY_013": (
            "{path} : « {key} » = {value!r} doit valoir l'une des valeurs suivantes : "
            "{allowed}."
        ),
        "STUDY_020": (
            "Le fichier des marges de population {path} n'existe pas. Vérifiez "
            "population.file dans study.toml (les chemins sont relatifs au dossier de "
            "l'étude)."
        ),
        "STUDY_021": (
            "Impossible de lire le fichier des marges de population {path} : {reason}. "
            "Enregistrez-le en CSV UTF-8, avec une virgule entre les colonnes."
        ),
        "STUDY_022": (
            "{path} : les colonnes sont {found} ; {expected} étaient attendues (les "
            "dimensions de la population, puis 'count'). Renommez les colonnes ou "
            "corrigez population.dimensions."
        ),
        "STUDY_023": (
            "{path} : l'effectif {value!r} n'est pas un nombre entier de personnes (0 ou "
            "plus). N'écrivez que des chiffres, sans espace ni séparateur."
        ),
        "STUDY_024": (
            "{path} : la case est vide. Chaque ligne doit avoir une valeur dans chaque "
            "colonne."
        ),
        "STUDY_025": (
            "{path} : la combinaison {cell} figure déjà à la ligne {first}. Gardez une "
            "seule ligne par combinaison."
        ),
        "STUDY_026": (
            "{path} a une ligne d'en-tête mais aucune ligne de données. Ajoutez une "
            "ligne par combinaison de {dimensions}, avec son effectif."
        ),
        "STUDY_027": (
            "{path} : la ligne a {found} valeurs pour {expected} colonnes. Cherchez une "
            "virgule manquante ou en trop."
        ),
        "STUDY_030": (
            "L'instrument « {instrument} » renvoie à {path}, qui n'existe pas. Vérifiez "
            "sa clé 'file' (les chemins sont relatifs au dossier de l'étude)."
        ),
        "STUDY_031": (
            "{path} : {dimension} = « {value} » n'est pas un choix de la question "
            "« {dimension} » de l'instrument « {instrument} » (choix : {choices}). "
            "Utilisez les noms des choix, tels que les réponses les enregistrent."
        ),
        "STUDY_032": (
            "La dimension de population « {dimension} » n'est pas une question à choix "
            "de l'instrument « {instrument} » : les réponses ne peuvent donc pas être "
            "rapprochées des marges. Donnez à chaque dimension le nom de la question "
            "qu'elle pondère."
        ),
        "STUDY_033": (
            "L'instrument « {instrument} » n'a pas de textes en « {language} », une "
            "langue de l'étude. Ajoutez ses colonnes label::…, ou retirez cette langue "
            "de l'étude."
        ),
        "STUDY_034": (
            "Les instruments « {first} » et « {second} » ont le même form_id "
            "« {form_id} » : leurs versions et leurs réponses seraient mélangées. Donnez "
            "à chaque formulaire son propre form_id dans sa feuille settings."
        ),
        "XPATH_001": (
            "Erreur de syntaxe au caractère {position} de `{expression}` : {detail}. "
            "Vérifiez les parenthèses, les guillemets et les opérateurs autour de cet "
            "endroit."
        ),
        "XPATH_002": (
            "Fonction inconnue {name}() au caractère {position} de `{expression}`. "
            "Vouliez-vous dire {suggestion}() ? Les fonctions prises en charge sont "
            "listées dans docs/xpath.md."
        ),
        "XPATH_003": (
            "{name}() au caractère {position} de `{expression}` prend {expected}, "
            "mais {given} ont été donnés. Écrivez-la ainsi : {signature}."
        ),
        "XPATH_004": (
            "Expression régulière invalide {pattern!r} dans regex() au caractère "
            "{position} de `{expression}` : {reason}. Corrigez le motif (syntaxe RE2, "
            "comme en Perl ou en Java ; il est cherché n'importe où dans la valeur : "
            "utilisez ^ et $ pour couvrir toute la valeur)."
        ),
        "XPATH_005": (
            "`{text}` au caractère {position} de `{expression}` n'est pas une référence "
            "${{name}}. Désignez les questions par ${{question_name}} ; les chemins "
            "XPath, axes, prédicats, variables et noms nus ne sont pas pris en charge."
        ),
        "XPATH_006": (
            "Référence mal formée au caractère {position} de `{expression}` : {detail}. "
            "Écrivez ${{name}}, où name est un nom de question (une lettre ou '_' suivi "
            "de lettres, chiffres, '_', '-' ou '.')."
        ),
        "XPATH_007": (
            "La chaîne qui commence au caractère {position} de `{expression}` n'est "
            "jamais fermée. Terminez-la par le même guillemet ({quote}) que celui qui "
            "l'ouvre."
        ),
        "XPATH_008": (
            "L'argument {index} de {name}() au caractère {position} de `{expression}` "
            "doit être une référence ${{name}} (un ensemble de nœuds), et non {got}. "
            "Passez la question elle-même, par exemple {name}(${{question_in_repeat}})."
        ),
        "XPATH_009": (
            "`..` au caractère {position} de `{expression}` n'est pris en charge que "
            "sous la forme position(..). Désignez les autres questions par ${{name}}."
        ),
        "XPATH_010": (
            "position(..) dans `{expression}` a été évalué hors d'une répétition. Ne "
            "l'utilisez que dans des questions situées dans un groupe répété."
        ),
        "XPATH_011": (
            "L'expression est vide. Écrivez une expression ou laissez la case vide."
        ),
        "XPATH_012": (
            "Le second argument de jr:choice-name() au caractère {position} de "
            "`{expression}` doit être une référence entre guillemets à la question à "
            "choix, comme jr:choice-name(${{q}}, '${{q}}') ; reçu : {got}."
        ),
        "XPATH_013": (
            "`{expression}` est imbriquée sur plus de {limit} niveaux. Répartissez-la "
            "entre plusieurs questions calculate."
        ),
        "XPATH_014": (
            "{name}() au caractère {position} de `{expression}` est une fonction ODK que "
            "sociaparis n'évalue pas ({reason}). Calculez la valeur autrement, par "
            "exemple avec un calculate sur de simples références ${{name}}."
        ),
        "XPATH_015": (
            "L'expression régulière {pattern!r} dans regex() au caractère {position} de "
            "`{expression}` utilise une construction que sociaparis n'exécute pas "
            "({reason}) : les motifs s'exécutent avec RE2, dont le temps reste linéaire "
            "en la longueur de la réponse ; les références arrière (\\1), les assertions "
            "avant et arrière ((?=, (?!, (?<=, (?<!), les groupes atomiques, les "
            "quantificateurs possessifs et les répétitions de plus de 1000 ne sont donc "
            "pas disponibles. Réécrivez le motif sans cette construction, par exemple en "
            "plusieurs tests regex() reliés par `and` ou `not()`."
        ),
        "XPATH_016": (
            "L'expression `{expression}` fait {length} caractères ; la limite est de "
            "{limit}. Répartissez-la entre plusieurs questions calculate qui calculent "
            "chacune une partie, puis combinez leurs résultats."
        ),
        "XPATH_017": (
            "L'expression `{expression}` compte plus de {limit} valeurs, références, "
            "opérateurs et appels. Répartissez-la entre plusieurs questions calculate "
            "(pour une longue somme, additionnez les éléments par groupes de quelques "
            "centaines au plus, puis additionnez les groupes)."
        ),
        "XPATH_025": (
            "Le premier argument de pulldata() au caractère {position} de `{expression}` "
            "doit être le nom entre guillemets d'une pièce jointe CSV sans son suffixe, "
            "comme pulldata('fruits', 'name', 'key', ${{q}}) pour media/fruits.csv ; "
            "reçu : {got}."
        ),
        "XPATH_018": (
            "{name}() au caractère {position} de `{expression}` produirait un texte de "
            "{length} caractères ; la limite est de {limit}. Produisez des textes plus "
            "courts (la valeur de chaque calculate est limitée), par exemple en ne "
            "concaténant pas un calcul avec lui-même."
        ),
    },
}

# The API's templates, copied: see the module's docstring.
CATALOGUE_ERROR_MESSAGES["en"] = {
    "QUAL_390": (
        "The request is not valid: {problems}. The API's description is at "
        "/api/v1/openapi.json."
    ),
    "QUAL_391": (
        "There is no API endpoint at {path}. The endpoints are listed at "
        "/api/v1/openapi.json."
    ),
    "QUAL_392": (
        "{path} does not answer {method}. The endpoints are listed at "
        "/api/v1/openapi.json."
    ),
    "QUAL_393": (
        "The database stayed locked by another writer; nothing was written. Try "
        "again in {seconds} s."
    ),
    "QUAL_394": (
        "Unexpected error; nothing was written. Quote the reference {error_id} to "
        "the study's administrator (it is in the server's log)."
    ),
}
