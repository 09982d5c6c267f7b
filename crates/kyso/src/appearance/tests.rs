use super::*;

#[test]
fn rect_in_points_and_millimetres() {
    assert_eq!(parse_rect("10,20,30,40").unwrap(), [10.0, 20.0, 30.0, 40.0]);
    let r = parse_rect("25.4mm,0,50.8mm,10").unwrap();
    assert!((r[0] - 72.0).abs() < 1e-9 && r[1] == 0.0 && (r[2] - 144.0).abs() < 1e-9);
    let r = parse_rect("10,10,20,20mm").unwrap();
    assert!((r[3] - 20.0 * PT_PER_MM).abs() < 1e-9);
    assert!(parse_rect("1,2,3").is_err());
    assert!(parse_rect("1,2,-3,4").is_err());
    assert!(parse_rect("a,b,c,d").is_err());
}

#[test]
fn fit_keeps_aspect_and_centre() {
    let r = fit(2.0, [0.0, 0.0, 100.0, 100.0]);
    assert_eq!(r, [0.0, 25.0, 100.0, 75.0]);
    let r = fit(0.5, [0.0, 0.0, 100.0, 100.0]);
    assert_eq!(r, [25.0, 0.0, 75.0, 100.0]);
}

#[test]
fn shift_inside_moves_least() {
    let a = [0.0, 0.0, 100.0, 100.0];
    assert_eq!(
        shift_inside([90.0, 10.0, 110.0, 20.0], &a),
        [80.0, 10.0, 100.0, 20.0]
    );
    assert_eq!(
        shift_inside([-5.0, -5.0, 5.0, 5.0], &a),
        [0.0, 0.0, 10.0, 10.0]
    );
}

#[test]
fn dates_parse_and_are_checked() {
    assert_eq!(parse_date("05/03/2026").unwrap(), (5, 3, 2026));
    assert_eq!(parse_date("2026-11-22").unwrap(), (22, 11, 2026));
    assert_eq!(parse_date("29.02.2028").unwrap(), (29, 2, 2028));
    assert!(parse_date("31/02/2026").is_err());
    assert!(parse_date("hôm nay").is_err());
}

#[test]
fn roles_parse() {
    assert_eq!("Organization".parse::<Role>().unwrap(), Role::Organization);
    assert!("boss".parse::<Role>().is_err());
}
